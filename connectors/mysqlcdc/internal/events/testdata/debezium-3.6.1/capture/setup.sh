#!/bin/bash
# Installs what run.sh runs, in /work/dbz-scratch (S): Kafka Connect 4.4.0 and Debezium 3.6.1.Final from Maven Central,
# with the three adjustments the README explains.
set -euo pipefail
S=/work/dbz-scratch; C=$(cd "$(dirname "$0")" && pwd); G=${DEBEZIUM_GIT:?a git directory of github.com/debezium/debezium}
mkdir -p $S/libs $S/plugins $S/patch
mvn -q -B -f $C/kafka-pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$S/libs
mvn -q -B -f $C/dbz-pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$S/plugins/debezium-mysql
# 1. Debezium 3.6.1 (built for Kafka 4.3) calls org.apache.kafka.common.utils.Sanitizer, which Kafka 4.4 moved to
#    ...utils.internals: the 4.3.0 class goes on the worker's class path (plugins load org.apache.kafka.* from it).
mvn -q -B dependency:copy -Dartifact=org.apache.kafka:kafka-clients:4.3.0 -DoutputDirectory=$S/patch/kc430
(cd $S/patch && rm -rf shim && mkdir shim && cd shim && unzip -q ../kc430/kafka-clients-4.3.0.jar 'org/apache/kafka/common/utils/Sanitizer*.class' \
  && jar cf $S/libs/zz-kafka-4.3.0-sanitizer-shim.jar org)
# 2. The MySQL connector takes MariaDB 10.11's version for MySQL >= 8.4 and fails when SHOW BINARY LOG STATUS fails:
#    MySqlConnection is rebuilt from the v3.6.1.Final tag with that check skipped for a version naming MariaDB.
mkdir -p $S/patch/src $S/patch/classes
git --git-dir=$G show v3.6.1.Final:debezium-connector-mysql/src/main/java/io/debezium/connector/mysql/jdbc/MySqlConnection.java > $S/patch/src/MySqlConnection.java
sed -i 's/if (major > 8 || (major == 8 \&\& minor >= 4)) {/if (!version.contains("MariaDB") \&\& (major > 8 || (major == 8 \&\& minor >= 4))) {/' $S/patch/src/MySqlConnection.java
javac -nowarn -d $S/patch/classes -cp "$S/plugins/debezium-mysql/*:$S/libs/*" $S/patch/src/MySqlConnection.java
(cd $S/patch/classes && jar uf $S/plugins/debezium-mysql/debezium-connector-mysql-3.6.1.Final.jar io/debezium/connector/mysql/jdbc/MySqlConnection.class)
# 3. debezium-connector-mariadb is not on Maven Central for 3.6.1.Final: built from the v3.6.1.Final tag's sources against
#    the same 3.6.1.Final jars and mariadb-java-client 3.5.3 (the version its parent POM names).
M=$S/plugins/debezium-mariadb; mkdir -p $M; cp $S/plugins/debezium-mysql/*.jar $M/
rm $M/debezium-connector-mysql-3.6.1.Final.jar $M/mysql-connector-j-*.jar
mvn -q -B dependency:copy -Dartifact=org.mariadb.jdbc:mariadb-java-client:3.5.3 -DoutputDirectory=$M
B=$S/mariadb-build; rm -rf $B; mkdir -p $B/classes; cd $B
git --git-dir=$G archive v3.6.1.Final debezium-connector-mariadb/src/main | tar x
javac -nowarn -proc:none -d classes -cp "$M/*:$S/libs/*" $(find debezium-connector-mariadb/src/main/java -name '*.java')
cp -r debezium-connector-mariadb/src/main/resources/* classes/
echo "version=3.6.1.Final" > classes/io/debezium/connector/mariadb/build.version
(cd classes && jar cf $M/debezium-connector-mariadb-3.6.1.Final-built-from-tag.jar .)
