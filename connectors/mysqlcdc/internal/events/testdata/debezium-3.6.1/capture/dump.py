import json, sys
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient
out = sys.argv[1]
admin = AdminClient({"bootstrap.servers": "127.0.0.1:9092"})
md = admin.list_topics(timeout=10)
topics = sorted(t for t in md.topics if t.startswith("dbzgold") or t.startswith("__debezium-heartbeat.dbzgold"))
c = Consumer({"bootstrap.servers": "127.0.0.1:9092", "group.id": "dbzgold-dump", "enable.auto.commit": False})
def dec(b):
    if b is None: return None
    try: return json.loads(b)
    except Exception: return {"__raw": b.decode("utf-8", "replace")}
with open(out, "w") as f:
    for t in topics:
        if t == "dbzgold-connect-configs": continue
        for p in md.topics[t].partitions:
            tp = TopicPartition(t, p)
            lo, hi = c.get_watermark_offsets(tp, timeout=10)
            if hi <= lo: continue
            c.assign([TopicPartition(t, p, lo)])
            n = 0; bulk = t.endswith(".bulk")
            while n < hi - lo:
                m = c.poll(10)
                if m is None: break
                if m.error(): continue
                n += 1
                if bulk and not (m.offset() < lo + 3 or m.offset() >= hi - 3 or (20000 <= m.offset() < 20003)): continue
                f.write(json.dumps({"topic": t, "partition": p, "offset": m.offset(), "timestamp": m.timestamp()[1],
                   "headers": [[k, v.decode() if v else None] for k, v in (m.headers() or [])],
                   "key": dec(m.key()), "value": dec(m.value())}) + "\n")
            print(t, p, lo, hi, n, file=sys.stderr)
c.close()
