#!/usr/bin/env bash
# Regenerates the test PKI of every module's tests (dev.doorbell.testing.TestPki) with the openssl CLI. Run from any
# directory:
#   testing/src/main/resources/dev/doorbell/testing/pki/generate.sh
# A file added here must be added to TestPki.FILES too.
# Every certificate is valid for 100 years, except expired-cert.pem, which expired in 2001, and
# not-yet-valid-cert.pem, valid from 2090. Keys are EC P-256 in PKCS#8 PEM. These are test fixtures only: the keys
# are public by being committed.
# Revocation lists of the test CA: crl.pem (CRL number 1) revokes revoked-cert.pem (keyCompromise);
# crl-dev-b.pem (number 2) revokes it and dev-b-cert.pem; crl-forged.pem names the test CA as issuer but is signed
# by another key.
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
# Names two devices: the uplink must refuse it as ambiguous, not take the first.
leaf two-ids ca "/CN=dev-a" \
  "$(client_ext '\nsubjectAltName=URI:urn:doorbell:device:dev-a,URI:urn:doorbell:device:dev-b')"

# Certificates with explicit dates and revocation lists need "openssl ca" and its database.
mkdir -p "$work/db" && touch "$work/db/index.txt"
echo 01 > "$work/db/crlnumber"
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $work/db/index.txt
new_certs_dir = $work/db
serial = $work/db/serial
crlnumber = $work/db/crlnumber
default_md = sha256
default_crl_days = $DAYS
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
openssl rand -hex 8 > "$work/db/serial"

# dated <name> <device id> <start> <end>: a device certificate with explicit validity dates.
dated() {
  key "$1-key.pem"
  openssl req -new -key "$1-key.pem" -subj "/CN=$2" -out "$work/$1.csr"
  printf '%b\n' "[device]\n$(client_ext "\nsubjectAltName=URI:urn:doorbell:device:$2")" > "$work/$1.ext"
  openssl ca -batch -config "$work/ca.cnf" -cert ca-cert.pem -keyfile ca-key.pem -in "$work/$1.csr" \
    -extfile "$work/$1.ext" -extensions device -startdate "$3" -enddate "$4" -notext -out "$1-cert.pem" 2>/dev/null
}

dated expired dev-expired 20000101000000Z 20010101000000Z
dated not-yet-valid dev-future 20900101000000Z 21000101000000Z
dated revoked dev-revoked 20200101000000Z 21200101000000Z

crl() { openssl ca -config "$work/ca.cnf" -cert ca-cert.pem -keyfile ca-key.pem -gencrl -out "$1" 2>/dev/null; }
openssl ca -config "$work/ca.cnf" -cert ca-cert.pem -keyfile ca-key.pem -revoke revoked-cert.pem \
  -crl_reason keyCompromise 2>/dev/null
crl crl.pem
openssl ca -config "$work/ca.cnf" -cert ca-cert.pem -keyfile ca-key.pem -revoke dev-b-cert.pem \
  -crl_reason superseded 2>/dev/null
crl crl-dev-b.pem

# Same issuer name as the test CA, another key: the uplink must refuse it.
key "$work/forger-key.pem"
openssl req -x509 -new -key "$work/forger-key.pem" -subj "/CN=doorbell test fleet CA" -days "$DAYS" -sha256 \
  -out "$work/forger-cert.pem"
openssl ca -config "$work/ca.cnf" -cert "$work/forger-cert.pem" -keyfile "$work/forger-key.pem" -gencrl \
  -out crl-forged.pem 2>/dev/null

rm -f other-ca-key.pem
echo "test PKI written to $(pwd)"
