# Writes bulk.sql: 3 rows of multi and 20000 rows of bulk (the bulk table makes the snapshot and one UPDATE long
# enough for Kafka Connect to flush offsets in the middle of them).
rows = ",".join(f"({i},'v{i}')" for i in range(1, 20001))
open("bulk.sql", "w").write("USE dbz_golden;\nINSERT INTO multi VALUES (1,'a',10),(1,'b',20),(2,'a',30);\nINSERT INTO bulk VALUES " + rows + ";\n")
