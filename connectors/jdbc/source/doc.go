// Package source is the JDBC source connector for MySQL and MariaDB,
// compatible with Confluent's io.confluent.connect.jdbc.JdbcSourceConnector:
// the same configuration keys and defaults, the same source partitions
// ({"protocol":"1","table":"db.t"}, legacy {"table":"t"} read too, bulk
// {"table":"t"}, query {"query":"query"}) and offsets ({"incrementing":n,
// "timestamp":ms,"timestamp_nanos":n}), the same SQL criteria and the same
// type mapping as Confluent's connector gets from Connector/J, so that a
// Confluent configuration and its stored offsets work unchanged. Records
// have no key, as Confluent's.
//
// Where Confluent's connector is known to hurt, it does better (the README
// lists the differences): UNSIGNED BIGINT is a Decimal rather than an
// overflowing INT64, numeric.mapping applies to DECIMAL columns, BIT(n) is
// a number wide enough for n bits, TIMESTAMP columns are read as instants
// whatever the server's time zone, and reading resumes exactly: each query
// is limited to batch.max.rows and starts after the last row produced.
package source
