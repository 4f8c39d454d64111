// Package file is the file source and sink connectors, with the config keys
// and behaviour of Kafka Connect's FileStreamSourceConnector and
// FileStreamSinkConnector: the source turns each line of a file (or stdin)
// into a string record, the sink writes each record's value as a line of a
// file (or stdout).
package file

// Config keys, as Kafka Connect names them.
const (
	FileKey      = "file"
	TopicKey     = "topic"
	BatchSizeKey = "batch.size"

	// FilenameField and PositionField are the keys of the source partition
	// {"filename": …} and offset {"position": n}.
	FilenameField = "filename"
	PositionField = "position"

	// Version is the version the connectors report.
	Version = "0.1.0"
)
