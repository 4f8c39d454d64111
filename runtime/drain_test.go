package runtime

import (
	"context"
	"testing"
	"time"
)

// TestDrainTimer: giveUp runs once, d after the context ends or start is
// called, and never after close.
func TestDrainTimer(t *testing.T) {
	t.Run("after the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := make(chan struct{})
		dt := newDrainTimer(ctx, 10*time.Millisecond, func() { close(gaveUp) })
		defer dt.close()
		cancel()
		select {
		case <-gaveUp:
		case <-time.After(time.Minute):
			t.Fatal("giveUp did not run after the context ended")
		}
		if left := dt.left(); left > 0 {
			t.Fatalf("%v left after giveUp ran", left)
		}
	})
	t.Run("after start", func(t *testing.T) {
		gaveUp := make(chan struct{})
		dt := newDrainTimer(context.Background(), time.Hour, func() { close(gaveUp) })
		dt.start()
		if left := dt.left(); left <= 59*time.Minute || left > time.Hour {
			t.Fatalf("left %v after start, want just under an hour", left)
		}
		dt.close()
		dt.start() // started once: nothing new
		select {
		case <-gaveUp:
			t.Fatal("giveUp ran after close")
		default:
		}
	})
	t.Run("closed before anything", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		dt := newDrainTimer(ctx, 0, func() { t.Error("giveUp ran though the timer was closed first") })
		dt.close()
		cancel()
		dt.start()
		if dt.timer != nil {
			t.Fatal("a timer was set after close")
		}
	})
}
