import time
from confluent_kafka.admin import AdminClient
a = AdminClient({"bootstrap.servers": "127.0.0.1:9092"})
ts = [t for t in a.list_topics(timeout=10).topics if t.startswith("dbzgold") or t.startswith("__debezium-heartbeat.dbzgold")]
if ts:
    for t, f in a.delete_topics(ts).items(): f.result()
    while any(t in a.list_topics(timeout=10).topics for t in ts): time.sleep(0.5)
print("deleted", ts)
