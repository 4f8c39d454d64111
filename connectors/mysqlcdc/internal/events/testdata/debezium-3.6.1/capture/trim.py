# Trims out/topics.jsonl and the REST answers to the golden files sluice's tests read.
import json, os, sys
repo = sys.argv[1]
ev = os.path.join(repo, "connectors/mysqlcdc/internal/events/testdata/debezium-3.6.1")
hi = os.path.join(repo, "connectors/mysqlcdc/internal/history/testdata/debezium-3.6.1")
of = os.path.join(repo, "connectors/mysqlcdc/testdata/debezium-3.6.1")
for d in (ev, hi, of): os.makedirs(d, exist_ok=True)
recs = [json.loads(l) for l in open("out/topics.jsonl")]
def rec(r): return {"key": r["key"], "value": r["value"], "headers": {k: v for k, v in r["headers"]}}
def dump(path, obj):
    with open(path, "w") as f: json.dump(obj, f, indent=1, ensure_ascii=False); f.write("\n")
def golden_db(r):
    v = r["value"]; return v is not None and v["payload"].get("databaseName") == "dbz_golden"
runs = [("default", "dbzgold1", "dbzgold-default"), ("modes", "dbzgold2", "dbzgold-modes"), ("mariadb", "dbzgold3", "dbzgold-mariadb")]
for mode, prefix, conn in [r for r in runs if os.path.exists(f"out/rest-offsets-{r[2]}.jsonl")]:
    d = os.path.join(ev, mode); os.makedirs(d, exist_ok=True)
    for t in ("types", "multi"):
        dump(os.path.join(d, t + ".json"), [rec(r) for r in recs if r["topic"] == f"{prefix}.dbz_golden.{t}"])
    dump(os.path.join(d, "bulk-first.json"), [rec(r) for r in recs if r["topic"] == f"{prefix}.dbz_golden.bulk"][:1])
    dump(os.path.join(d, "schema-changes.json"), [rec(r) for r in recs if r["topic"] == prefix and (golden_db(r) or r["value"]["payload"]["databaseName"] == "")])
    dump(os.path.join(d, "heartbeats.json"), [rec(r) for r in recs if r["topic"] == f"__debezium-heartbeat.{prefix}"][:2])
    h = [r["value"] for r in recs if r["topic"] == f"{prefix}-schema-history"]
    dump(os.path.join(hi, mode + ".json"), [v for v in h if v["databaseName"] in ("dbz_golden", "")])
    rest = [json.loads(l) for l in open(f"out/rest-offsets-{conn}.jsonl")]
    topic = [{"key": r["key"], "value": r["value"]} for r in recs if r["topic"] == "dbzgold-connect-offsets" and r["key"][0] == conn]
    seen, uniq = set(), []
    for x in topic:
        k = json.dumps(x, sort_keys=True)
        if k not in seen: seen.add(k); uniq.append(x)
    dump(os.path.join(of, f"offsets-{mode}.json"), {"rest": rest, "offsetsTopic": uniq})
