#!/bin/bash
# Starts the Kafka Connect 4.4.0 worker that setup.sh installed (distributed mode, one worker, REST on
# 127.0.0.1:18444), runs the call sequence of scripts/kccompare against it and writes the answers here (..).
# PREFIX (default kc44cap4) replaces kc44cap in worker.properties: it names the worker's group and internal
# topics, the connectors, their topic and files. Topics of that prefix must not exist yet.
set -euo pipefail
S=${S:-/work/kc44-scratch}; C=$(cd "$(dirname "$0")" && pwd); REPO=$(cd $C/../../../.. && pwd)
PREFIX=${PREFIX:-kc44cap4}; R=http://127.0.0.1:18444
cd $S; mkdir -p out files; rm -f files/$PREFIX-*
sed "s/kc44cap/$PREFIX/g" $C/worker.properties > out/worker-$PREFIX.properties
java -Xmx512m -Dlog4j2.configurationFile=$C/log4j2.properties -cp "$S/libs/*" \
  org.apache.kafka.connect.cli.ConnectDistributed out/worker-$PREFIX.properties > out/connect.log 2>&1 &
pid=$!; trap 'kill $pid' EXIT
until curl -sf $R/connectors >/dev/null; do sleep 0.5; done
cd $REPO && go run ./scripts/kccompare -mode capture -url $R -prefix $PREFIX -dir $S/files \
  -config-topic $PREFIX-configs -status-topic $PREFIX-status -out $C/..
