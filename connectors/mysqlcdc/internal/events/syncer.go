package events

import (
	"time"

	"github.com/go-mysql-org/go-mysql/replication"
)

// SyncerOptions sets the BinlogSyncerConfig options that FromBinlog's
// conversions rely on: DECIMAL as its exact text (UseDecimal off), DATE,
// DATETIME and TIMESTAMP as text (ParseTime off; TIMESTAMP rendered in
// UTC), and MySQL's binary JSON rendered as MySQL's own text.
func SyncerOptions(c *replication.BinlogSyncerConfig) {
	c.UseDecimal = false
	c.ParseTime = false
	c.TimestampStringLocation = time.UTC
	c.RenderJSONAsMySQLText = true
}
