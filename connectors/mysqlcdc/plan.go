package mysqlcdc

import (
	"context"
	"fmt"
	"slices"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// startPlan is what the task does when it starts, decided from
// snapshot.mode, the stored offset, the binlog files on the server and
// the schema history.
type startPlan struct {
	// snapshot takes the initial snapshot (schemas and rows); schemaOnly
	// takes the schemas only (no_data, recovery).
	snapshot, schemaOnly bool
	// recoverHistory replays the schema history up to from.
	recoverHistory bool
	// from is where streaming starts (when no snapshot decides it).
	from *offset
	// stopAfterSnapshot ends reading after the snapshot (initial_only).
	stopAfterSnapshot bool
	// fromOldest streams from the oldest binlog file (never, no offset).
	fromOldest bool
	// stored is the stored offset streaming resumes from, as read (with
	// the incremental snapshot's keys); nil after a snapshot.
	stored map[string]any
}

// plan decides how to start, as Debezium's snapshot modes do.
func (t *Task) plan(ctx context.Context, stored map[string]any) (*startPlan, error) {
	mode := t.st.snapshotMode
	p := &startPlan{stopAfterSnapshot: mode == SnapshotInitialOnly}
	if stored == nil {
		switch mode {
		case SnapshotNoData:
			p.schemaOnly = true
		case SnapshotNever:
			p.fromOldest = true
		case SnapshotRecovery:
			return nil, fmt.Errorf("snapshot.mode=recovery rebuilds the schema history of a connector that has an offset; there is none for topic.prefix %q: use another snapshot.mode", t.st.prefix)
		default:
			p.snapshot = true
		}
		return p, nil
	}
	o, err := parseOffset(stored)
	if err != nil {
		return nil, err
	}
	if o.Snapshot != "" {
		// An initial snapshot was interrupted: it is redone from the start.
		t.log.Info("the initial snapshot did not finish; taking it again", "offset", javafmt.Map(stored))
		if mode == SnapshotNoData {
			p.schemaOnly = true
		} else {
			p.snapshot = true
		}
		return p, nil
	}
	if mode == SnapshotAlways {
		p.snapshot = true
		return p, nil
	}
	if mode == SnapshotInitialOnly {
		t.log.Info("snapshot.mode=initial_only and the snapshot was taken: nothing to do")
		p.stopAfterSnapshot, p.from = true, &o
		return p, nil
	}
	// With GTIDs the server finds the position (and says when they are
	// purged: read takes a new snapshot then with when_needed); a file
	// name is only meaningful on the server that wrote it.
	available := o.GTIDs != ""
	if !available {
		if available, err = t.binlogAvailable(ctx, o.File); err != nil {
			return nil, err
		}
	}
	if !available {
		if mode == SnapshotWhenNeeded {
			t.log.Warn("the binlog file of the stored offset is no longer on the server; taking a new snapshot (snapshot.mode=when_needed)", "file", o.File, "pos", o.Pos)
			p.snapshot = true
			return p, nil
		}
		return nil, fmt.Errorf("the stored offset is at binlog file %s position %d, which is no longer on the server (purged, expire_logs_days/binlog_expire_logs_seconds): changes after it are lost to the connector; set snapshot.mode=when_needed to take a new snapshot, or delete the connector's offsets", o.File, o.Pos)
	}
	p.from, p.stored = &o, stored
	if mode == SnapshotRecovery {
		p.schemaOnly = true
		return p, nil
	}
	exists, err := t.hist.Exists(ctx)
	if err != nil {
		return nil, fmt.Errorf("schema history topic %s: %w", t.st.historyTopic, err)
	}
	if !exists {
		if mode == SnapshotWhenNeeded {
			t.log.Warn("the schema history topic is missing or empty; taking a new snapshot (snapshot.mode=when_needed)", "topic", t.st.historyTopic)
			p.snapshot, p.from, p.stored = true, nil, nil
			return p, nil
		}
		return nil, fmt.Errorf("the schema history topic %s is missing or empty while the connector has an offset: set snapshot.mode=recovery once to rebuild it from the current table structures", t.st.historyTopic)
	}
	p.recoverHistory = true
	return p, nil
}

// binlogFiles lists the binlog files on the server, oldest first.
func (t *Task) binlogFiles(ctx context.Context) ([]string, error) {
	rows, err := t.db.QueryContext(ctx, "SHOW BINARY LOGS")
	if err != nil {
		return nil, fmt.Errorf("listing the binlog files (SHOW BINARY LOGS): %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var files []string
	dest := make([]any, len(cols))
	var name string
	dest[0] = &name
	for i := 1; i < len(cols); i++ {
		dest[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("listing the binlog files (SHOW BINARY LOGS): %w", err)
		}
		files = append(files, name)
	}
	return files, rows.Err()
}

// binlogAvailable says whether the server still has file.
func (t *Task) binlogAvailable(ctx context.Context, file string) (bool, error) {
	files, err := t.binlogFiles(ctx)
	if err != nil {
		return false, err
	}
	return slices.Contains(files, file), nil
}
