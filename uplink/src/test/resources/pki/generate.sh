#!/usr/bin/env bash
# Regenerates the test PKI of the uplink's tests with the openssl CLI. Run from any directory:
#   uplink/src/test/resources/pki/generate.sh
# Every certificate is valid for 100 years, except expired-cert.pem, which expired in 2001. Keys are EC P-256 in
# PKCS#8 PEM. These are test fixtures only: the keys are public by being committed.
set -euo pipefail
cd "$(dirname "$0")"
DAYS=36500
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ca <name> <subject>: a self-signed CA certificate.
ca() {
  key "$1-key.pem"
  openssl req -x509 -new -key "$1-key.pem" -subj "$2" -days "$DAYS" -sha256 -out "$1-cert.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# leaf <name> <ca> <subject> <extensions>: a certificate signed by <ca>.
leaf() {
  key "$1-key.pem"
  openssl req -new -key "$1-key.pem" -subj "$3" -out "$work/$1.csr"
  printf '%b\n' "$4" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$2-cert.pem" -CAkey "$2-key.pem" -set_serial "0x$(openssl rand -hex 8)" \
    -days "$DAYS" -sha256 -extfile "$work/$1.ext" -out "$1-cert.pem" 2>/dev/null
}

client_ext() {
  echo "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth$1"
}

ca ca "/CN=doorbell test fleet CA"
ca other-ca "/CN=some other CA"
leaf server ca "/CN=localhost" \
  "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1"
leaf dev-a ca "/CN=dev-a" "$(client_ext '\nsubjectAltName=URI:urn:doorbell:device:dev-a')"
leaf dev-b ca "/CN=dev-b" "$(client_ext '\nsubjectAltName=URI:urn:doorbell:device:dev-b')"
leaf dev-c ca "/CN=dev-c" "$(client_ext '\nsubjectAltName=URI:urn:doorbell:device:dev-c')"
leaf foreign-dev-a other-ca "/CN=dev-a" "$(client_ext '\nsubjectAltName=URI:urn:doorbell:device:dev-a')"
leaf no-san ca "/CN=dev-c" "$(client_ext '\nsubjectAltName=URI:https://example.com/dev-c')"

# An expired device certificate needs explicit dates, which only "openssl ca" sets.
key expired-key.pem
openssl req -new -key expired-key.pem -subj "/CN=dev-expired" -out "$work/expired.csr"
mkdir -p "$work/db" && touch "$work/db/index.txt"
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $work/db/index.txt
new_certs_dir = $work/db
serial = $work/db/serial
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = device
[any]
commonName = supplied
[device]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = URI:urn:doorbell:device:dev-expired
CNF
openssl rand -hex 8 > "$work/db/serial"
openssl ca -batch -config "$work/ca.cnf" -cert ca-cert.pem -keyfile ca-key.pem -in "$work/expired.csr" \
  -startdate 20000101000000Z -enddate 20010101000000Z -notext -out expired-cert.pem 2>/dev/null

rm -f other-ca-key.pem
echo "test PKI written to $(pwd)"
