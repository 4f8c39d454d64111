// Package tlsconf turns Kafka's SSL configuration keys into a *tls.Config,
// reading them as Apache Kafka's SslConfigs and DefaultSslEngineFactory do,
// for the Kafka clients sluice makes and for the REST server and the REST
// client that forwards requests to another worker.
//
// Client and Server take the keys without any prefix ("ssl.truststore.location",
// not "producer.ssl.truststore.location"); the caller strips its prefix.
// Keys and PasswordKeys list what they read. Values are trimmed as Kafka's
// ConfigDef trims them; an empty value is the same as an absent key, except
// for ssl.endpoint.identification.algorithm, whose empty value turns the
// host-name check off. Other keys are ignored.
//
// The mapping, key by key:
//
//   - ssl.enabled.protocols (default "TLSv1.2,TLSv1.3"): the versions offered,
//     as tls.Config.MinVersion and MaxVersion. TLSv1 and TLSv1.1 are offered
//     only when listed. Go offers a range of versions, so a list with a gap
//     (TLSv1.1,TLSv1.3) is an error rather than also offering the version in
//     between. SSLv2Hello is accepted and has no effect (Go never reads
//     SSLv2-format hellos); SSLv3 and unknown names are errors.
//   - ssl.protocol (default "TLSv1.3"): the newest version used, as Kafka
//     documents it: "TLSv1.2" keeps TLSv1.3 from being used even when
//     ssl.enabled.protocols lists it; sluice caps servers too. "TLS" and
//     "TLSv1.3" cap nothing. "SSL" and "SSLv3" are errors.
//   - ssl.cipher.suites (default: Go's defaults): IANA names, as Java names
//     them (an "SSL_" prefix is read as "TLS_"), mapped to the ids of Go's
//     tls.CipherSuites and tls.InsecureCipherSuites; an unknown or unsupported
//     name is an error naming it. TLS_EMPTY_RENEGOTIATION_INFO_SCSV is accepted
//     and has no effect. Go cannot restrict TLS 1.3's suites: a list naming
//     none of them disables TLS 1.3 (as Java would, having no suite for it), a
//     list naming only TLS 1.3 suites disables TLS 1.2 and older, and a list
//     naming some but not all of Go's three TLS 1.3 suites is an error.
//   - ssl.keystore.type (default "JKS"), ssl.keystore.location,
//     ssl.keystore.password, ssl.key.password: this side's certificate and key.
//     JKS and PKCS12 files are told apart by their content, as Java 9 and
//     later read either under either type; every private-key entry of a JKS
//     file is loaded (Go picks by the peer's needs), and a PKCS12 file holds
//     one key. ssl.key.password defaults to ssl.keystore.password; a PKCS12
//     key is protected by the store's password. With type PEM the file holds
//     the certificate chain and one private key, ssl.keystore.password must
//     not be set, and ssl.key.password decrypts an "ENCRYPTED PRIVATE KEY"
//     (PKCS#8). Unencrypted keys may be PKCS#8, PKCS#1 or SEC 1.
//   - ssl.keystore.key and ssl.keystore.certificate.chain: the same, inline
//     PEM, with ssl.keystore.type=PEM and no ssl.keystore.location.
//   - ssl.truststore.type (default "JKS"), ssl.truststore.location,
//     ssl.truststore.password, ssl.truststore.certificates (inline PEM, type
//     PEM): the certificates trusted to sign the peer's. As in Java, a JKS
//     store's trusted-certificate entries and the first certificate of each
//     key entry are trusted. A PKCS12 truststore must hold only certificates
//     marked trusted by Java's keytool (a PKCS12 keystore used as truststore
//     is an error saying so). Without a truststore the system's
//     roots are trusted (Java would use its cacerts). A truststore given but
//     unreadable, with a wrong password or without any certificate is an
//     error. A JKS truststore without a password is read without checking
//     its integrity, as Java does; a PKCS12 one needs its password.
//   - ssl.endpoint.identification.algorithm (default "https"): "https" checks
//     the server's host name against its certificate; empty checks the
//     certificate chain but not the host name (done in VerifyConnection; the
//     chain is always verified). Only clients check it, as in Kafka.
//   - ssl.client.auth (servers only; default "none"): "required" asks for and
//     verifies a client certificate and refuses a client without one;
//     "requested" asks for one and verifies it if given; "none" asks for none.
//   - ssl.keymanager.algorithm, ssl.trustmanager.algorithm, ssl.provider,
//     ssl.secure.random.implementation, ssl.engine.factory.class: Java's
//     defaults (keymanager SunX509, NewSunX509, PKIX; trustmanager PKIX,
//     SunPKIX, X509, X.509; provider SunJSSE; secure random NativePRNG,
//     NativePRNGNonBlocking, DRBG; engine factory Kafka's
//     DefaultSslEngineFactory) or empty; any other value is an error saying
//     sluice cannot honour it, since sluice never connects with less security
//     than configured.
//
// Encrypted PKCS#8 keys are read with PBES2 and PBKDF2, as openssl and Java
// write them; scrypt (which Java cannot read) is refused.
//
// Errors name the key and the file, never a value of a key in PasswordKeys.
// Files are read up to 10 MiB; a larger one is an error naming its key. A
// hostile file is an error, never a panic or a hang: JKS length fields are
// checked against the file before it is read, and a password-based key
// derivation (PKCS12's MAC and keys, an encrypted PKCS#8 key) may iterate at
// most 5,000,000 times, the bound the JDK's PKCS12 reader sets.
package tlsconf
