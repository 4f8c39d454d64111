// Package distributed is the herder of a group of workers, Kafka Connect's
// distributed mode: workers join a Kafka group with protocol type
// "connect", the group leader assigns connectors and tasks with the
// incremental cooperative assignor, and configurations, offsets and
// statuses live in compacted Kafka topics (runtime/storage). What it
// shares with the standalone herder is in runtime/herdercore; this package
// keeps the group membership, the loop that serializes changes, and the
// redirects to the leader or a connector's owner.
package distributed
