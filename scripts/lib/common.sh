# Shared by the scripts in scripts/: finds the repository, the java binary, and builds the runnable jars when
# they are missing or older than the sources. Sourced, not run.

DOORBELL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -n "${JAVA_HOME:-}" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

# ensure_jar JAR: builds the device and uplink jars (tests skipped) when JAR is missing or stale.
ensure_jar() {
  local jar="$1"
  local stale=""
  if [ -f "$jar" ]; then
    stale="$(find "$DOORBELL_ROOT/proto/src" "$DOORBELL_ROOT/device/src/main" "$DOORBELL_ROOT/uplink/src/main" \
      "$DOORBELL_ROOT/pom.xml" "$DOORBELL_ROOT/device/pom.xml" "$DOORBELL_ROOT/uplink/pom.xml" \
      -newer "$jar" -type f -print -quit 2>/dev/null)"
  fi
  if [ ! -f "$jar" ] || [ -n "$stale" ]; then
    echo "building doorbell (./mvnw package, tests skipped; the first build downloads dependencies) ..." >&2
    (cd "$DOORBELL_ROOT" && ./mvnw -B -q -DskipTests package >&2) || {
      echo "build failed; run ./mvnw -B package in $DOORBELL_ROOT to see why" >&2
      exit 1
    }
  fi
}

# java_options PROGRAM [COMMAND]: the JVM options of scripts/uplink (PROGRAM uplink) or scripts/doorbell (PROGRAM
# doorbell, COMMAND its first argument). UPLINK_JAVA_OPTS and DOORBELL_JAVA_OPTS are passed on as they are.
java_options() {
  case "$1" in
    uplink) echo "${UPLINK_JAVA_OPTS:-}" ;;
    *) echo "${DOORBELL_JAVA_OPTS:-}" ;;
  esac
}
