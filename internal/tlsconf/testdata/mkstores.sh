#!/usr/bin/env bash
# Makes the key and trust stores the tests read, in the directory $1, with
# openssl and the JDK's keytool. Passwords: stores "storepass", trust stores
# "trustpass", separate key passwords "keypass".
set -euo pipefail
cd "$1"

ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # name
  ec "$1.key"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$1" -days 2 -out "$1.crt" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

leaf() { # name ca cn san eku
  ec "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$4" "$5" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  cat "$1.key" "$1.crt" "$2.crt" >"$1.pem"
  cat "$1.crt" "$2.crt" >"$1.chain"
}

ca ca
ca otherca
leaf server ca localhost "DNS:localhost,IP:127.0.0.1" serverAuth
leaf wrongname ca other.example "DNS:other.example" serverAuth
leaf client ca client "DNS:client" clientAuth
leaf otherserver otherca localhost "DNS:localhost,IP:127.0.0.1" serverAuth
leaf otherclient otherca client "DNS:client" clientAuth

# Encrypted PKCS#8 (PBES2, AES-256-CBC) and OpenSSL's legacy encrypted form.
openssl pkcs8 -topk8 -in server.key -out server-enc.key -passout pass:keypass
cat server-enc.key server.crt ca.crt >server-enc.pem
openssl ec -in server.key -aes256 -passout pass:keypass -out server-legacy.key 2>/dev/null

p12() { # name: openssl-made PKCS12 keystore
  openssl pkcs12 -export -inkey "$1.key" -in "$1.crt" -certfile ca.crt -name "$1" \
    -passout pass:storepass -out "$1-openssl.p12"
}
for n in server wrongname client otherserver otherclient; do p12 "$n"; done

kt() { keytool "$@" -noprompt >/dev/null 2>&1; }
# keytool-made keystores: JKS (key password = store password, and another
# with its own key password) and PKCS12.
kt -importkeystore -srckeystore server-openssl.p12 -srcstoretype PKCS12 -srcstorepass storepass \
  -destkeystore server.jks -deststoretype JKS -deststorepass storepass
kt -importkeystore -srckeystore server-openssl.p12 -srcstoretype PKCS12 -srcstorepass storepass \
  -srcalias server -destkeystore server-keypass.jks -deststoretype JKS -deststorepass storepass -destkeypass keypass
kt -importkeystore -srckeystore server-openssl.p12 -srcstoretype PKCS12 -srcstorepass storepass \
  -destkeystore server-keytool.p12 -deststoretype PKCS12 -deststorepass storepass
kt -importkeystore -srckeystore client-openssl.p12 -srcstoretype PKCS12 -srcstorepass storepass \
  -destkeystore client.jks -deststoretype JKS -deststorepass storepass

# Trust stores holding the CA: keytool JKS and PKCS12, openssl PKCS12 (no
# Java trust attribute), and a JKS of another CA.
kt -importcert -alias ca -file ca.crt -keystore trust.jks -storetype JKS -storepass trustpass
kt -importcert -alias ca -file ca.crt -keystore trust.p12 -storetype PKCS12 -storepass trustpass
kt -importcert -alias otherca -file otherca.crt -keystore othertrust.jks -storetype JKS -storepass trustpass
openssl pkcs12 -export -nokeys -in ca.crt -passout pass:trustpass -out trust-openssl.p12
# OpenSSL's TRUSTED CERTIFICATE form of the CA.
openssl x509 -in ca.crt -trustout -addtrust serverAuth -out ca-trusted.crt
