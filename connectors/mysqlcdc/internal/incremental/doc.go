// Package incremental runs Debezium's incremental snapshots for the CDC
// source: a table is read again in chunks while the binary log streams on,
// and each chunk is merged with the stream by Debezium's watermark algorithm
// (DBLog, as io.debezium.pipeline.source.snapshot.incremental's
// AbstractIncrementalSnapshotChangeEventSource does it):
//
//  1. write an open-window row into the signal table
//     (id "<chunk id>-open", type snapshot-window-open);
//  2. SELECT the chunk: up to incremental.snapshot.chunk.size rows ordered by
//     the primary key, after the last key sent and up to the table's largest
//     key read when the table's snapshot began; buffer them by key;
//  3. write the close-window row (id "<chunk id>-close");
//  4. while the stream is between the two rows, every change to a key of the
//     table removes that key from the buffer (the stream carries a newer
//     version);
//  5. when the stream reaches the close-window row, the rows left in the
//     buffer are emitted (as op=r, source.snapshot=incremental), then the
//     next chunk begins.
//
// Signals arrive through the signal table (signal.data.collection): a row
// INSERTed there is read from the binary log and acted on (execute-snapshot,
// stop-snapshot, pause-snapshot, resume-snapshot, log, and the two window
// signals the engine writes itself).
//
// The package does not decode values: the task hands it each change's table
// and canonical key string, and the rows of a chunk come back as the task's
// own ready values (the type parameter R) through a [Database]. So the
// algorithm is tested without a server (a fake Database and a scripted
// stream), and [SQL] is the Database the task uses against MySQL/MariaDB.
//
// The engine is not safe for concurrent use: the task calls it from the one
// goroutine that handles binary log events, in their order.
package incremental
