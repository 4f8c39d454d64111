#!/bin/bash
# Installs Apache Kafka Connect 4.4.0 in /work/kc44-scratch (S): the runtime from Maven (kafka-pom.xml), and
# the FileStreamSource/FileStreamSink plugin built from Kafka's sources, since connect-file 4.4.0 is not
# served by the Maven mirror used here (see ../README.md).
# KAFKA_GIT: a git directory of github.com/apache/kafka; KAFKA_REV: the commit whose connect/file is built.
set -euo pipefail
S=${S:-/work/kc44-scratch}; C=$(cd "$(dirname "$0")" && pwd)
G=${KAFKA_GIT:-/work/.mirror/apache+kafka/repo}; REV=${KAFKA_REV:-1eb7644349cb07139d6a3c1ad1986979647cac99}
mkdir -p $S/libs $S/plugins/file $S/files
cp $C/worker.properties $C/log4j2.properties $S/
mvn -q -B -f $C/kafka-pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$S/libs
B=$S/filebuild; rm -rf $B; mkdir -p $B/classes; cd $B
git --git-dir=$G archive $REV connect/file/src/main | tar x
# Kafka 4.x moved AppInfoParser to ...common.utils.internals; nothing else differs for these four classes.
sed -i 's/import org.apache.kafka.common.utils.AppInfoParser;/import org.apache.kafka.common.utils.internals.AppInfoParser;/' \
  connect/file/src/main/java/org/apache/kafka/connect/file/*.java
javac -nowarn -d classes -cp "$S/libs/*" $(find connect/file/src/main/java -name '*.java')
cp -r connect/file/src/main/resources/* classes/
(cd classes && jar cf $S/plugins/file/connect-file-4.4.0-built-from-source.jar .)
