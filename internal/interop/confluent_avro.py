#!/usr/bin/env python3
"""Confluent-format Avro through Confluent's own Python client, for sluice's interoperability tests.

sluice's Avro converter must read what Confluent's serializers write and write what they read.
This command drives the serializer and deserializer of Confluent's confluent-kafka package
(confluent_kafka.schema_registry.avro, fastavro underneath) against a real Schema Registry, so
that Go tests can compare bytes and values with an implementation that is not sluice's. The Go
side runs it with testkit.RunInterop; the Python comes from the venv scripts/services-up.sh
builds (INTEROP_PYTHON, packages pinned in requirements.txt beside this file).

Usage:

  confluent_avro.py serialize   --registry URL --topic T (--schema-file F | --use-latest-version)
                                [--key] [--no-auto-register] [--normalize]
  confluent_avro.py deserialize --registry URL --topic T [--key] [--reader-schema-file F]

serialize reads one JSON value per line of stdin, converts it to the Python value the Avro
schema calls for (see below), serializes it with AvroSerializer and writes one line of lowercase
hex: the Confluent wire format, magic byte 0, the 4-byte big-endian schema id, the Avro binary
body. The subject follows TopicNameStrategy: "T-value", or "T-key" with --key
(SerializationContext(T, MessageField.VALUE or KEY)). By default the schema is registered under
the subject (auto.register.schemas); --no-auto-register looks it up instead (it must already be
registered), --use-latest-version writes with the subject's latest schema (--schema-file is then
optional and only used to read the JSON input), --normalize sets normalize.schemas.

deserialize reads one hex line per record and writes one JSON line per record: AvroDeserializer
finds the writer schema by the id in the bytes; with --reader-schema-file the value is resolved
to that schema (Avro schema resolution).

A JSON line "null" serializes to no bytes (a tombstone: Confluent's serializers return null
for null, whatever the schema) and is written as an empty line; an empty hex line deserializes
to "null". Blank input lines of serialize are skipped.

JSON mapping, by Avro type (serialize input; deserialize writes the first form listed):

  null, boolean, string, enum      JSON null, true/false, a string, the symbol as a string
  int, long                        a JSON integer
  float, double                    a JSON number; the strings "NaN", "Infinity", "-Infinity"
                                   for the values JSON has no number for. A float (32-bit) comes
                                   back as the double nearest to it (0.1 -> 0.10000000149011612).
  bytes, fixed                     standard base64 (RFC 4648, with padding)
  decimal (bytes or fixed)         a string in plain notation with the schema's scale ("12.30");
                                   a JSON number is accepted on input
  date                             "YYYY-MM-DD"; on input also the int days since 1970-01-01
  time-millis, time-micros         "HH:MM:SS[.ffffff]"; on input also the int count
  timestamp-millis, -micros        ISO 8601 with offset, as Python's isoformat writes it:
                                   "2024-01-02T03:04:05.678000+00:00" (UTC; the fraction only
                                   when non-zero). On input any ISO 8601 string ("Z" allowed, no
                                   offset means UTC) or the int count since the epoch.
  local-timestamp-millis, -micros  the same without offset
  uuid                             the canonical string
  array, map                       a JSON array, a JSON object
  record                           a JSON object of the fields in schema order; on input a missing
                                   field takes its default, an unknown one is an error
  union                            output: the value of the branch taken, as that branch maps
                                   (which branch it was is not shown; null is JSON null). Input:
                                   null, or {"BRANCH": value} to name the branch (BRANCH is a
                                   primitive type name such as "string" or "long", or the full or
                                   short name of a record, enum or fixed), or a bare value, which
                                   takes the first branch it converts to.

Recursive schemas are not supported by the input conversion. Note that the Confluent serializers
write a top-level "bytes" schema's value raw, without Avro's length prefix, and read it back the
same way; this client does so too.

Errors go to stderr with exit status 1.
"""

import argparse
import base64
import binascii
import datetime
import decimal
import json
import math
import sys
import uuid

from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from fastavro import parse_schema
from fastavro.schema import expand_schema

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
NAMED = {"record", "enum", "fixed"}


class InputError(ValueError):
    """A JSON value that does not fit the schema, with the path to it."""


# --- JSON -> Python, directed by the schema ---------------------------------------------------


def from_json(value, schema, path="$"):
    """Convert a JSON value to what fastavro writes for schema (expanded: no named references)."""
    if isinstance(schema, list):
        return union_from_json(value, schema, path)
    if isinstance(schema, str):
        schema = {"type": schema}
    typ = schema["type"]
    if isinstance(typ, (dict, list)):
        return from_json(value, typ, path)
    logical = schema.get("logicalType")
    if logical == "decimal" and typ in ("bytes", "fixed"):
        return decimal_from_json(value, path)
    if logical == "date" and typ == "int":
        return temporal_from_json(value, path, datetime.date.fromisoformat)
    if logical in ("time-millis", "time-micros") and typ in ("int", "long"):
        return temporal_from_json(value, path, datetime.time.fromisoformat)
    if logical in ("timestamp-millis", "timestamp-micros") and typ == "long":
        return temporal_from_json(value, path, parse_instant)
    if logical in ("local-timestamp-millis", "local-timestamp-micros") and typ == "long":
        return temporal_from_json(value, path, parse_local_timestamp)
    if logical == "uuid" and typ == "string":
        expect(isinstance(value, str), value, "a UUID string", path)
        return str(uuid.UUID(value))
    if typ == "null":
        expect(value is None, value, "null", path)
        return None
    if typ == "boolean":
        expect(isinstance(value, bool), value, "true or false", path)
        return value
    if typ in ("int", "long"):
        expect(isinstance(value, int) and not isinstance(value, bool), value, "an integer", path)
        return value
    if typ in ("float", "double"):
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf"))
        expect(isinstance(value, (int, float)) and not isinstance(value, bool), value, "a number", path)
        return float(value)
    if typ == "string":
        expect(isinstance(value, str), value, "a string", path)
        return value
    if typ in ("bytes", "fixed"):
        expect(isinstance(value, str), value, "a base64 string", path)
        try:
            data = base64.b64decode(value, validate=True)
        except binascii.Error as e:
            raise InputError(f"{path}: not base64: {e}") from None
        if typ == "fixed" and len(data) != schema["size"]:
            raise InputError(f"{path}: {len(data)} bytes for fixed {schema['name']} of size {schema['size']}")
        return data
    if typ == "enum":
        expect(isinstance(value, str) and value in schema["symbols"], value, f"one of {schema['symbols']}", path)
        return value
    if typ == "array":
        expect(isinstance(value, list), value, "an array", path)
        return [from_json(v, schema["items"], f"{path}[{i}]") for i, v in enumerate(value)]
    if typ == "map":
        expect(isinstance(value, dict), value, "an object", path)
        return {k: from_json(v, schema["values"], f"{path}.{k}") for k, v in value.items()}
    if typ == "record":
        expect(isinstance(value, dict), value, f"an object for record {schema['name']}", path)
        fields = {f["name"]: f for f in schema["fields"]}
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise InputError(f"{path}: record {schema['name']} has no field {', '.join(unknown)}")
        # Absent fields stay absent: fastavro writes their defaults.
        return {k: from_json(v, fields[k]["type"], f"{path}.{k}") for k, v in value.items()}
    raise InputError(f"{path}: unsupported schema {json.dumps(schema)}")


def branch_name(schema):
    """The name fastavro's tuple notation uses for a union branch."""
    if isinstance(schema, str):
        return schema
    typ = schema["type"]
    if typ in NAMED:
        return schema["name"]
    return typ if isinstance(typ, str) else branch_name(typ)


def union_from_json(value, branches, path):
    if value is None:
        if any(branch_name(b) == "null" for b in branches):
            return None
        raise InputError(f"{path}: null, but the union {json.dumps(branch_names(branches))} has no null")
    # {"BRANCH": value} names the branch, by full or short name.
    if isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        for b in branches:
            name = branch_name(b)
            if key == name or key == name.rsplit(".", 1)[-1]:
                return (name, from_json(inner, b, f"{path}<{key}>"))
    # A bare value: the first non-null branch it converts to, named so that fastavro takes it.
    errors = []
    for b in branches:
        name = branch_name(b)
        if name == "null":
            continue
        try:
            return (name, from_json(value, b, f"{path}<{name}>"))
        except (InputError, ValueError, TypeError, decimal.InvalidOperation) as e:
            errors.append(str(e))
    raise InputError(f"{path}: fits no branch of the union {json.dumps(branch_names(branches))}: " + "; ".join(errors))


def branch_names(branches):
    return [branch_name(b) for b in branches]


def expect(ok, value, want, path):
    if not ok:
        raise InputError(f"{path}: want {want}, got {json.dumps(value)}")


def decimal_from_json(value, path):
    expect(isinstance(value, (str, int, float)) and not isinstance(value, bool), value, "a decimal string", path)
    try:
        return decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        raise InputError(f"{path}: not a decimal: {json.dumps(value)}") from None


def temporal_from_json(value, path, parse):
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # the encoded count itself; fastavro writes ints unchanged
    expect(isinstance(value, str), value, "an ISO 8601 string or an integer", path)
    try:
        return parse(value)
    except ValueError as e:
        raise InputError(f"{path}: {e}") from None


def parse_instant(s):
    t = datetime.datetime.fromisoformat(s)
    return t if t.tzinfo is not None else t.replace(tzinfo=datetime.timezone.utc)


def parse_local_timestamp(s):
    t = datetime.datetime.fromisoformat(s)
    if t.tzinfo is not None:
        raise ValueError(f"a local timestamp has no offset: {s!r}")
    return t


# --- Python -> JSON, by the types fastavro returns ----------------------------------------------


def to_json(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    # datetime before date: a datetime is a date too.
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}: {value!r}")


# --- commands -------------------------------------------------------------------------------------


# TopicNameStrategy, spelled out. Since 2.16 the client's default is its "associated" strategy,
# which first asks the registry for the topic's associations (GET /associations/..., a newer
# Confluent API) and falls back to TopicNameStrategy on 404. Confluent's Java serializers default
# to TopicNameStrategy; and Apicurio, which has no such endpoint, at times leaves requests to
# unknown paths unanswered under concurrent load.
STRATEGY = {"subject.name.strategy.type": "TOPIC"}


def context(args):
    return SerializationContext(args.topic, MessageField.KEY if args.key else MessageField.VALUE)


def serialize(args, client):
    conf = dict(STRATEGY, **{"auto.register.schemas": not (args.no_auto_register or args.use_latest_version),
                             "use.latest.version": args.use_latest_version,
                             "normalize.schemas": args.normalize})
    if args.schema_file:
        with open(args.schema_file, encoding="utf-8") as f:
            schema_str = f.read()
    elif args.use_latest_version:
        subject = f"{args.topic}-{'key' if args.key else 'value'}"
        schema_str = client.get_latest_version(subject).schema.schema_str
    else:
        raise SystemExit("confluent_avro.py serialize: --schema-file is required without --use-latest-version")
    # The same wrapping of a bare primitive ('"string"') that AvroSerializer does.
    loaded = json.loads(schema_str)
    expanded = expand_schema(parse_schema(loaded if not isinstance(loaded, str) else {"type": loaded}))
    serializer = AvroSerializer(client, schema_str, conf=conf)
    ctx = context(args)
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            # null is a tombstone whatever the schema: the serializer returns no bytes for None.
            value = None if obj is None else from_json(obj, expanded)
        except (InputError, json.JSONDecodeError) as e:
            raise SystemExit(f"confluent_avro.py serialize: line {n}: {e}")
        data = serializer(value, ctx)
        print("" if data is None else data.hex(), flush=True)


def deserialize(args, client):
    reader = None
    if args.reader_schema_file:
        with open(args.reader_schema_file, encoding="utf-8") as f:
            reader = f.read()
    deserializer = AvroDeserializer(client, reader, conf=dict(STRATEGY))
    ctx = context(args)
    for n, line in enumerate(sys.stdin, 1):
        line = line.strip()
        try:
            data = bytes.fromhex(line) if line else None
        except ValueError as e:
            raise SystemExit(f"confluent_avro.py deserialize: line {n}: not hex: {e}")
        value = deserializer(data, ctx)
        print(json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":")), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("serialize", "deserialize"):
        s = sub.add_parser(name)
        s.add_argument("--registry", required=True, help="Schema Registry URL (Confluent API)")
        s.add_argument("--topic", required=True)
        s.add_argument("--key", action="store_true", help="the record key (subject TOPIC-key)")
    ser = sub.choices["serialize"]
    ser.add_argument("--schema-file", help="the writer schema (Avro JSON)")
    ser.add_argument("--no-auto-register", action="store_true",
                     help="look the schema up under the subject instead of registering it")
    ser.add_argument("--use-latest-version", action="store_true",
                     help="write with the subject's latest schema")
    ser.add_argument("--normalize", action="store_true", help="normalize.schemas=true")
    sub.choices["deserialize"].add_argument("--reader-schema-file", help="resolve values to this schema")
    args = p.parse_args()

    # The client's default is no timeout at all: a lost response would hang the test until its
    # own deadline. With one, the client's retries get a chance.
    client = SchemaRegistryClient({"url": args.registry, "timeout": 20})
    try:
        (serialize if args.command == "serialize" else deserialize)(args, client)
    except SystemExit:
        raise
    except Exception as e:  # the client's errors: registry responses, serialization failures
        raise SystemExit(f"confluent_avro.py {args.command}: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
