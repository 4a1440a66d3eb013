# Shared by the scripts in scripts/: finds the repository, the java binary, and builds the runnable jars when
# they are missing or older than the sources. Sourced, not run.

DOORBELL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -n "${JAVA_HOME:-}" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

# ensure_jar JAR: builds the doorbell and uplink jars (tests skipped) when JAR is missing or stale.
ensure_jar() {
  local jar="$1"
  local stale=""
  if [ -f "$jar" ]; then
    # Every module's main sources and POM: the two jars hold all of them between them.
    stale="$(find "$DOORBELL_ROOT"/*/src/main "$DOORBELL_ROOT/pom.xml" "$DOORBELL_ROOT"/*/pom.xml \
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
# doorbell, COMMAND its first argument). Each JVM gets a heap bounded for its job, not the JVM's default of a quarter
# of the machine's memory (6 GB here, which let one flooding device grow the uplink past 1 GB). UPLINK_HEAP and
# DOORBELL_HEAP change the heap (e.g. 4g); UPLINK_JAVA_OPTS and DOORBELL_JAVA_OPTS come last, so any option there wins.
java_options() {
  case "$1" in
    uplink)
      # Sessions and the frames each device has in flight (its window, 8 MiB by default): 1 GiB serves thousands of
      # devices. Netty's I/O buffers are direct memory, bounded apart from the heap. A JVM out of memory exits (and
      # is restarted by whatever runs it) rather than limp on: every frame acknowledged PERSISTED is on disk.
      echo "-Xmx${UPLINK_HEAP:-1g} -XX:MaxDirectMemorySize=512m -XX:+ExitOnOutOfMemoryError ${UPLINK_JAVA_OPTS:-}" ;;
    shipper)
      # Streams each segment from its file: a small heap whatever the segment size. SHIPPER_JAVA_OPTS comes last.
      echo "-Xmx${SHIPPER_HEAP:-256m} -XX:+ExitOnOutOfMemoryError ${SHIPPER_JAVA_OPTS:-}" ;;
    *)
      local heap
      case "${2:-}" in
        fleet) heap=3g ;;  # thousands of devices, each with its TLS state, buffers and latency figures
        open) heap=4g ;;   # the owner's reader holds the segments of the store it opens in memory
        *) heap=1g ;;
      esac
      echo "-Xmx${DOORBELL_HEAP:-$heap} ${DOORBELL_JAVA_OPTS:-}" ;;
  esac
}
