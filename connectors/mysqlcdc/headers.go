package mysqlcdc

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
)

// The headers Debezium puts on records: the context headers on every data
// and schema change record (not heartbeats) when extended.headers.enabled,
// and on the records of a primary key change the other key.
const (
	headerLogicalName   = "__debezium.context.connectorLogicalName"
	headerTaskID        = "__debezium.context.taskId"
	headerConnectorName = "__debezium.context.connectorName"
	headerRunID         = "__debezium.context.runId"
	headerNewKey        = "__debezium.newkey"
	headerOldKey        = "__debezium.oldkey"
)

// contextHeaders returns Debezium's context headers, in its order: the
// logical name (topic.prefix), the task's id ("0": the connector has one
// task), the connector ("mysql" or "mariadb") and runID, new at each start.
func contextHeaders(prefix, connector, runID string) connectors.Headers {
	return connectors.Headers{
		{Key: headerLogicalName, Schema: schemas.StringSchema, Value: prefix},
		{Key: headerTaskID, Schema: schemas.StringSchema, Value: "0"},
		{Key: headerConnectorName, Schema: schemas.StringSchema, Value: connector},
		{Key: headerRunID, Schema: schemas.StringSchema, Value: runID},
	}
}

// withHeaders returns own followed by ctx in a new slice: records never
// share a backing array (a transform may change one record's headers in
// place).
func withHeaders(own, ctx connectors.Headers) connectors.Headers {
	if len(ctx) == 0 {
		return own
	}
	h := make(connectors.Headers, 0, len(own)+len(ctx))
	return append(append(h, own...), ctx...)
}

// keyHeader is the header a primary key change's record carries: the
// other key, with the key's schema.
func keyHeader(name string, schema *schemas.Schema, key *schemas.Struct) connectors.Headers {
	if key == nil {
		return nil
	}
	return connectors.Headers{{Key: name, Schema: schema, Value: key}}
}

// newRunID returns a version 7 UUID (RFC 9562: the time in milliseconds,
// then random bits), as Debezium's runId.
func newRunID(now time.Time) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		return "", fmt.Errorf("making the run id: %w", err)
	}
	ms := uint64(now.UnixMilli())
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = 0x70 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
