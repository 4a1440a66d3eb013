#!/usr/bin/env bash
# Runs the Python client's tests with Debian's python3 (python3-cryptography, python3-protobuf, protobuf-compiler);
# the protobuf modules are generated into build/ first. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PY=/usr/bin/python3
"$PY" -c 'import doorbell_py.protos' # generates build/ once, before tests run in parallel imports
exec "$PY" tests/run.py "$@"
