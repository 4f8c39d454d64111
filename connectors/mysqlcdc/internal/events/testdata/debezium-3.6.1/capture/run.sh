#!/bin/bash
# Captures what Debezium 3.6.1.Final (MySQL connector) on Kafka Connect 4.4.0 writes for dbz_golden.
set -euo pipefail
# CONNECTORS: the connector configs (<name>.json) to run; OUT: where the captures go
CONNECTORS=${CONNECTORS:-"dbzgold-default dbzgold-modes"}
S=/work/dbz-scratch; C=$S/capture; cd $C
set -a; . /work/main/.services.env; set +a
export MYSQL_PWD=$MYSQL_PASSWORD
M="mariadb -h127.0.0.1 -P33306 -u$MYSQL_USER --default-character-set=utf8mb4"
R=http://127.0.0.1:18383
/work/main/.cache/python-interop/venv/bin/python clean.py
$M < schema.sql; $M < bulk.sql
rm -rf out; mkdir -p out
$M -e "SHOW MASTER STATUS; SELECT @@gtid_current_pos, @@gtid_binlog_pos" > out/before-snapshot.txt
java -Xmx768m -Dlog4j2.configurationFile=$C/log4j2.properties -cp "$S/libs/*" \
  org.apache.kafka.connect.cli.ConnectDistributed $C/worker.properties > out/connect.log 2>&1 &
echo $! > out/connect.pid
until curl -sf $R/connectors >/dev/null; do sleep 0.5; done
poll() { # name: writes each distinct GET offsets answer with a millisecond stamp
  local last=""
  while [ -e out/polling ]; do
    o=$(curl -s $R/connectors/$1/offsets || true)
    if [ "$o" != "$last" ]; then echo "{\"ms\": $(date +%s%3N), \"phase\": \"$(cat out/phase)\", \"answer\": $o}" >> out/rest-offsets-$1.jsonl; last=$o; fi
    sleep 0.05
  done
}
echo snapshot > out/phase; touch out/polling
for n in $CONNECTORS; do
  curl -sf -X PUT -H 'Content-Type: application/json' --data @$n.json $R/connectors/$n/config > /dev/null
  poll $n & 
done
# snapshot done when the connector's offset no longer says snapshot
for n in $CONNECTORS; do
  until curl -s $R/connectors/$n/offsets | grep -q '"pos"' && ! curl -s $R/connectors/$n/offsets | grep -q '"snapshot"'; do sleep 0.2; done
done
sleep 3   # a few heartbeats while idle
echo streaming > out/phase
$M -e "SHOW MASTER STATUS; SELECT @@gtid_current_pos, @@gtid_binlog_pos" > out/before-stream.txt
$M < stream.sql
$M -e "SHOW MASTER STATUS; SELECT @@gtid_current_pos, @@gtid_binlog_pos" > out/after-stream.txt
$M -e "SHOW BINLOG EVENTS IN '$(sed -n 2p out/before-stream.txt | cut -f1)' FROM $(sed -n 2p out/before-stream.txt | cut -f2) LIMIT 400" > out/binlog-events.txt || true
sleep 5   # let both connectors catch up and heartbeat
echo idle > out/phase; sleep 3
rm out/polling; sleep 1
for n in $CONNECTORS; do curl -s $R/connectors/$n/status > out/status-$n.json; curl -s $R/connectors/$n/offsets > out/final-offsets-$n.json; done
/work/main/.cache/python-interop/venv/bin/python dump.py out/topics.jsonl 2> out/dump.log
kill $(cat out/connect.pid); wait || true
