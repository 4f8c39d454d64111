package runtime

import (
	"context"
	"sync"
	"time"
)

// drainTimer gives a stopping task a fixed time to hand what it has to
// Kafka: it calls giveUp that long after the task's context ends, or after
// start, whichever comes first, unless close comes before.
type drainTimer struct {
	d       time.Duration
	giveUp  func()
	once    sync.Once
	timer   *time.Timer
	end     time.Time
	stopCtx func() bool
}

func newDrainTimer(ctx context.Context, d time.Duration, giveUp func()) *drainTimer {
	dt := &drainTimer{d: d, giveUp: giveUp}
	dt.stopCtx = context.AfterFunc(ctx, dt.start)
	return dt
}

// start starts the countdown, if it has not started.
func (dt *drainTimer) start() {
	dt.once.Do(func() {
		dt.end = time.Now().Add(dt.d)
		dt.timer = time.AfterFunc(dt.d, dt.giveUp)
	})
}

// left starts the countdown and returns what is left of it.
func (dt *drainTimer) left() time.Duration {
	dt.start()
	return time.Until(dt.end)
}

// close stops the countdown: giveUp is not called after close returns,
// unless it already runs.
func (dt *drainTimer) close() {
	dt.stopCtx()
	dt.once.Do(func() {}) // timer is set, or never will be
	if dt.timer != nil {
		dt.timer.Stop()
	}
}
