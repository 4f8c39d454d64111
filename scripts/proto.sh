#!/usr/bin/env bash
# Regenerates the Go code of plugins/external's gRPC protocol from its .proto
# file. Needs protoc (Debian: apt-get install protobuf-compiler); the Go
# plugins are installed at pinned versions into a cache directory. The
# generated code is committed, so building sluice never needs protoc.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
# protoc-gen-go matches google.golang.org/protobuf in go.mod; protoc-gen-go-grpc
# matches google.golang.org/grpc in go.mod.
PROTOC_GEN_GO=v1.36.12
PROTOC_GEN_GO_GRPC=v1.6.2
bin=${PROTO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-proto-tools}/go${PROTOC_GEN_GO}-grpc${PROTOC_GEN_GO_GRPC}
if [[ ! -x $bin/protoc-gen-go || ! -x $bin/protoc-gen-go-grpc ]]; then
	mkdir -p "$bin"
	GOBIN=$bin $GO install google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO
	GOBIN=$bin $GO install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC
fi
command -v protoc >/dev/null || { echo "protoc not found: install protobuf-compiler" >&2; exit 1; }
dir=plugins/external/internal/pb
PATH=$bin:$PATH protoc -I "$dir" \
	--go_out="$dir" --go_opt=paths=source_relative \
	--go-grpc_out="$dir" --go-grpc_opt=paths=source_relative \
	"$dir"/plugin.proto
