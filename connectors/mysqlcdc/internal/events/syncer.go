package events

import (
	"time"

	"github.com/go-mysql-org/go-mysql/replication"
)

// SyncerOptions sets the BinlogSyncerConfig options that FromBinlog's
// conversions rely on: decimals as decimal.Decimal (exact), DATETIME and
// TIMESTAMP as strings (TIMESTAMP rendered in UTC), and MySQL's binary
// JSON rendered as MySQL's own text.
func SyncerOptions(c *replication.BinlogSyncerConfig) {
	c.UseDecimal = true
	c.ParseTime = false
	c.TimestampStringLocation = time.UTC
	c.RenderJSONAsMySQLText = true
}
