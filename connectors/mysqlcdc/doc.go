// Package mysqlcdc is sluice's change data capture source for MySQL and
// MariaDB: it reads the binary log as Debezium's MySQL and MariaDB
// connectors do and writes change events, offsets and schema history in
// their formats, so that consumers, stored offsets and configurations
// carry over (classes io.debezium.connector.mysql.MySqlConnector and
// io.debezium.connector.mariadb.MariaDbConnector).
package mysqlcdc
