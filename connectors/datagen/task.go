package datagen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/schemas"
	avroconv "github.com/sluicehq/sluice/schemas/avro"
)

// batchSize is how many records a poll returns when there is no pause
// between records (max.interval 0 or less). kafka-connect-datagen returns
// one per poll; a batch is the same records, sooner.
const batchSize = 500

// idleWait is how long a poll waits once a task has generated all its
// iterations.
const idleWait = time.Second

// task generates records from one Generator.
type task struct {
	st         *settings
	gen        *Generator
	data       *avroconv.Data
	taskID     int64
	generation int64 // the task's restarts, from the offsets
	count      int64 // records generated, from the offsets
	partition  map[string]any
	keySchema  avro.Schema     // the key field's schema; nil for null keys
	keyConnect *schemas.Schema // keySchema in Connect
	wait       func(ctx context.Context, d time.Duration) bool
	pause      func() time.Duration // the random wait before a record
}

func (t *task) Start(ctx context.Context, tc connectors.SourceTaskContext, props map[string]string) error {
	st, err := parseSettings(props)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(props[TaskIDKey], 10, 32)
	if err != nil || id < 0 {
		return fmt.Errorf("datagen task configuration needs a task number in %s, not %q", TaskIDKey, props[TaskIDKey])
	}
	t.st, t.taskID = st, id
	t.partition = map[string]any{TaskIDKey: int(id)}
	t.data = avroconv.NewData(avroconv.DefaultDataConfig())
	if st.keyField != "" {
		for _, f := range st.schema.(*avro.RecordSchema).Fields() {
			if f.Name() == st.keyField {
				t.keySchema = f.Type()
			}
		}
	}
	if _, err := t.data.ToConnectSchema(st.schema); err != nil {
		return fmt.Errorf("convert the schema to Connect: %w", err)
	}
	if t.keySchema != nil {
		if t.keyConnect, err = t.data.ToConnectSchema(t.keySchema); err != nil {
			return fmt.Errorf("convert the key field %s to Connect: %w", st.keyField, err)
		}
	}

	seed := taskSeed(st.seed, id)
	off, err := tc.Offsets().Offset(ctx, t.partition)
	if err != nil {
		return fmt.Errorf("read the offset of task %d: %w", id, err)
	}
	if off != nil {
		// The offset holds the state of the next record: restore it as is.
		if t.count, err = offsetInt(off, CurrentIterationKey); err != nil {
			return err
		}
		if _, ok := off[TaskGenerationKey]; ok {
			if t.generation, err = offsetInt(off, TaskGenerationKey); err != nil {
				return err
			}
		}
		if _, ok := off[RandomSeedField]; ok {
			if seed, err = offsetInt(off, RandomSeedField); err != nil {
				return err
			}
		}
	}
	if t.gen, err = NewGenerator(st.schema, seed, t.count); err != nil {
		return err
	}
	if t.wait == nil {
		t.wait = sleep
	}
	if t.pause == nil {
		max := st.maxInterval
		t.pause = func() time.Duration { return time.Duration(rand.Int64N(max)) * time.Millisecond }
	}
	return nil
}

func offsetInt(off map[string]any, key string) (int64, error) {
	n, ok := toInt64(off[key])
	if !ok {
		return 0, fmt.Errorf("the stored offset %v has no integer %q", off, key)
	}
	return n, nil
}

// taskSeed returns task id's first seed: with random.seed, the seed drawn
// id times in a row from it, as kafka-connect-datagen derives one per task
// (so tasks differ and each is reproducible); without, a random one.
func taskSeed(seed *int64, id int64) int64 {
	if seed == nil {
		return rand.Int64()
	}
	s := *seed
	for range id {
		s = rand.New(rand.NewPCG(uint64(s), seedStream)).Int64()
	}
	return s
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Poll returns the next record after a random pause of up to max.interval,
// or a batch when there is no pause; once the iterations are done it waits
// and returns nothing.
func (t *task) Poll(ctx context.Context) ([]connectors.SourceRecord, error) {
	n := batchSize
	if t.st.iterations > 0 {
		n = min(n, int(int64(t.st.iterations)-t.count))
		if n <= 0 {
			t.wait(ctx, idleWait)
			return nil, nil
		}
	}
	if t.st.maxInterval > 0 {
		if !t.wait(ctx, t.pause()) {
			return nil, nil
		}
		n = 1
	}
	recs := make([]connectors.SourceRecord, 0, n)
	for range n {
		rec, err := t.next()
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
		if ctx.Err() != nil {
			break
		}
	}
	return recs, nil
}

// next generates one record and advances the task's state.
func (t *task) next() (connectors.SourceRecord, error) {
	value := t.gen.Generate().(map[string]any)
	valueSchema, v, err := t.data.ToConnectData(t.st.schema, value)
	if err != nil {
		return connectors.SourceRecord{}, fmt.Errorf("convert the record: %w", err)
	}
	keySchema, key := schemas.OptionalStringSchema, any(nil)
	if t.keySchema != nil {
		// The key is the key field's value, with the schema of the field's
		// type on its own. A plain value is taken from the converted record;
		// a struct (a record or union key) carries its schema, so it is
		// converted against the key schema.
		keySchema, key = t.keyConnect, v.(*schemas.Struct).Get(t.st.keyField)
		if _, isStruct := key.(*schemas.Struct); isStruct {
			if keySchema, key, err = t.data.ToConnectData(t.keySchema, value[t.st.keyField]); err != nil {
				return connectors.SourceRecord{}, fmt.Errorf("convert the key field %s: %w", t.st.keyField, err)
			}
		}
	}
	// Reseed for each record, so that the offset can hold the seed the next
	// record starts from.
	seed := t.gen.NextSeed()
	rec := connectors.SourceRecord{
		Record: connectors.Record{
			Topic:     t.st.topic,
			KeySchema: keySchema, Key: key,
			ValueSchema: valueSchema, Value: v,
		},
		SourcePartition: t.partition,
		SourceOffset: map[string]any{
			TaskGenerationKey:   t.generation + 1, // the next run is the next generation
			CurrentIterationKey: t.count + 1,
			RandomSeedField:     seed,
		},
	}
	rec.Headers.Add(TaskGenerationKey, schemas.Int64Schema, t.generation)
	rec.Headers.Add(TaskIDKey, schemas.Int64Schema, t.taskID)
	rec.Headers.Add(CurrentIterationKey, schemas.Int64Schema, t.count)
	t.count++
	return rec, nil
}

func (t *task) Stop(context.Context) error { return nil }
