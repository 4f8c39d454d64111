#!/usr/bin/env bash
# Usage: scripts/services/tls.sh DIR
# Make the TLS material of the test broker's secured listeners and of the registry's https port,
# and the broker's SASL credentials, in DIR, afresh (whatever DIR held is replaced), with openssl
# and the JDK's keytool:
#
#   ca.pem, ca.key          a self-signed CA (RSA 2048, valid 30 days)
#   broker.pem, broker.key  the broker's certificate for 127.0.0.1 and localhost, signed by the CA
#   broker.p12              the broker's keystore (key + chain), PKCS12
#   registry.pem, registry.key  the Schema Registry's certificate (PEM, with the CA after it) and
#                           its key (PEM, unencrypted), signed by the CA, for localhost only (no IP
#                           address): tests reach the registry as 127.0.0.1 to see the host-name
#                           check fail
#   truststore.jks          the CA as a JKS truststore (keytool), as Java clients are given it
#   truststore.p12          the CA as a PKCS12 truststore (keytool)
#   secrets.env             TLS_PASSWORD (every store's password), SASL_USERNAME, SASL_PASSWORD
#
# The passwords are random, so no test can depend on a value written down anywhere. Run by
# scripts/services-up.sh before the broker and the registry start (both read DIR).
set -euo pipefail

DIR=${1:?usage: tls.sh DIR}
for tool in openssl keytool; do
	command -v "$tool" >/dev/null || { echo "services-up: $tool not found in PATH (needed for the broker's and the registry's TLS)" >&2; exit 1; }
done

rm -rf "$DIR.tmp"
mkdir -p "$DIR.tmp"
cd "$DIR.tmp"
# Into a temp dir first: a half-made set must never be used.

rand() { head -c 18 /dev/urandom | base64 | tr '+/' 'AB'; }
TLS_PASSWORD="$(rand)"
SASL_PASSWORD="$(rand)"

quiet() { "$@" >>tls.log 2>&1 || { cat tls.log >&2; echo "services-up: failed: $*" >&2; exit 1; }; }

quiet openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=sluice test CA" \
	-keyout ca.key -out ca.pem \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr
cat >broker.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
quiet openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
	-extfile broker.ext -out broker.pem
quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout registry.key -out registry.csr
cat >registry.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost
EXT
quiet openssl x509 -req -in registry.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
	-extfile registry.ext -out registry.crt
cat registry.crt ca.pem >registry.pem
quiet openssl pkcs12 -export -name broker -inkey broker.key -in broker.pem -certfile ca.pem \
	-out broker.p12 -passout "pass:$TLS_PASSWORD"
quiet keytool -importcert -noprompt -alias sluice-test-ca -file ca.pem \
	-keystore truststore.jks -storetype JKS -storepass "$TLS_PASSWORD"
quiet keytool -importcert -noprompt -alias sluice-test-ca -file ca.pem \
	-keystore truststore.p12 -storetype PKCS12 -storepass "$TLS_PASSWORD"
rm -f broker.csr broker.ext registry.csr registry.ext registry.crt ca.srl tls.log
{
	echo "TLS_PASSWORD=$TLS_PASSWORD"
	echo "SASL_USERNAME=sluice"
	echo "SASL_PASSWORD=$SASL_PASSWORD"
} >secrets.env
chmod 600 ./*.key secrets.env

cd ..
rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
