package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// FileOffsets is an OffsetStore kept in a JSON file, the standalone worker's
// offset.storage.file.filename. Every Put rewrites the file atomically (write
// a temporary file, fsync, rename, fsync the directory), so a crash leaves
// either the old or the new offsets, never a torn file.
//
// Unlike Kafka Connect's Java-serialized file, the format is readable JSON:
//
//	{"version":1,"connectors":{"name":[{"partition":{…},"offset":{…}}]}}
type FileOffsets struct {
	path string
	mem  *MemoryOffsets
}

type offsetsFile struct {
	Version    int                 `json:"version"`
	Connectors map[string][]Offset `json:"connectors"`
}

// offsetsFileOut is offsetsFile as written: values as the Kafka store
// writes them (appendJavaJSON), so that a float stays a float when read
// back (encoding/json writes 3.0 as 3, which would read back as an int64).
type offsetsFileOut struct {
	Version    int                     `json:"version"`
	Connectors map[string][]fileOffset `json:"connectors"`
}

type fileOffset struct {
	Partition javaJSONMap `json:"partition"`
	Offset    javaJSONMap `json:"offset"`
}

// javaJSONMap is a map written by appendJavaJSON.
type javaJSONMap map[string]any

// MarshalJSON implements json.Marshaler.
func (m javaJSONMap) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	return appendJavaJSON(nil, map[string]any(m))
}

// OpenFileOffsets loads the offsets in path; a missing file is an empty store.
func OpenFileOffsets(path string) (*FileOffsets, error) {
	f := &FileOffsets{path: path, mem: NewMemoryOffsets()}
	var doc offsetsFile
	if err := readJSONFile(path, &doc); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return f, nil
		}
		return nil, fmt.Errorf("read offsets file %s: %w", path, err)
	}
	if doc.Version != 1 {
		return nil, fmt.Errorf("read offsets file %s: unknown version %d", path, doc.Version)
	}
	for name, offs := range doc.Connectors {
		// Numbers as the Kafka store reads its topic (decodeJSON): an
		// integer beyond an int64, which sluice wrote before Put refused
		// it, becomes a float64 rather than an error that would keep the
		// worker from starting.
		for _, o := range offs {
			normalizeNumbers(o.Partition)
			normalizeNumbers(o.Offset)
		}
		offs, keys, err := validate(name, offs)
		if err != nil {
			return nil, fmt.Errorf("read offsets file %s: %w", path, err)
		}
		f.mem.apply(name, keys, offs)
	}
	return f, nil
}

// Get implements OffsetStore.
func (f *FileOffsets) Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error) {
	return f.mem.Get(ctx, connector, partition)
}

// Offsets implements OffsetStore.
func (f *FileOffsets) Offsets(ctx context.Context, connector string) ([]Offset, error) {
	return f.mem.Offsets(ctx, connector)
}

// Put implements OffsetStore: the file is rewritten before Put returns, and
// the in-memory view only changes once the file is durable.
func (f *FileOffsets) Put(_ context.Context, connector string, offsets []Offset) error {
	offsets, keys, err := validate(connector, offsets)
	if err != nil {
		return err
	}
	m := f.mem
	m.mu.Lock()
	defer m.mu.Unlock()
	// Apply to a copy first: if the write fails, nothing changes.
	next := &MemoryOffsets{data: make(map[string]map[string]Offset, len(m.data)+1)}
	for c, parts := range m.data {
		cp := make(map[string]Offset, len(parts))
		for k, v := range parts {
			cp[k] = v
		}
		next.data[c] = cp
	}
	next.apply(connector, keys, offsets)
	doc := offsetsFileOut{Version: 1, Connectors: map[string][]fileOffset{}}
	for c := range next.data {
		offs, _ := next.Offsets(context.Background(), c)
		out := make([]fileOffset, len(offs))
		for i, o := range offs {
			out[i] = fileOffset{Partition: o.Partition, Offset: o.Offset}
		}
		doc.Connectors[c] = out
	}
	if err := writeJSONFileAtomic(f.path, doc); err != nil {
		return fmt.Errorf("write offsets file %s: %w", f.path, err)
	}
	m.data = next.data
	return nil
}

// Close implements OffsetStore.
func (f *FileOffsets) Close() error { return nil }

func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // keep integers exact: normalizeNumbers makes them int64
	return d.Decode(v)
}
