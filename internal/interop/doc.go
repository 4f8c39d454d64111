// Package interop holds what sluice's interoperability tests run besides Go: confluent_avro.py, a
// small command that serializes and deserializes records in Confluent's Avro wire format with
// Confluent's own Python client (confluent-kafka, pinned in requirements.txt) against a real
// Schema Registry. Tests run it with testkit.RunInterop, so that bytes written by sluice can be
// checked against an implementation that is not sluice's, and the other way round.
//
// scripts/services-up.sh builds the Python venv (.cache/python-interop) and writes its
// interpreter to .services.env as INTEROP_PYTHON. The tests of this package check that plumbing
// end to end against the registry.
package interop
