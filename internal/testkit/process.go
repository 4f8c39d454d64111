package testkit

import (
	"errors"
	"os"
	"os/exec"
	"sync"
	"syscall"
)

// process is a server process that one test owns and may kill and start again (a broker, a
// database of its own). The zero value has never run.
type process struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

// launch starts the command newCmd makes for the n-th start (from 1), unless the previous one
// still runs. The process dies with the test binary where the OS can do that; done, if not nil,
// runs once it has exited (closing its log file). It returns a channel closed when it exits.
func (p *process) launch(newCmd func(n int) (cmd *exec.Cmd, done func(), err error)) (<-chan struct{}, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		select {
		case <-p.exited:
		default:
			return nil, errors.New("already running")
		}
	}
	p.starts++
	cmd, done, err := newCmd(p.starts)
	if err != nil {
		return nil, err
	}
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		if done != nil {
			done()
		}
		return nil, err
	}
	exited := make(chan struct{})
	p.cmd, p.exited = cmd, exited
	go func() {
		_ = cmd.Wait()
		if done != nil {
			done()
		}
		close(exited)
	}()
	return exited, nil
}

// running reports whether the process is alive.
func (p *process) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// terminate sends SIGTERM and waits for the process to exit; it reports whether it was running.
func (p *process) terminate() bool { return p.signal(syscall.SIGTERM) }

// kill sends SIGKILL and waits for the process to exit; it reports whether it was running.
func (p *process) kill() bool { return p.signal(os.Kill) }

// signal sends sig and waits for the process to exit; it reports whether it was running.
func (p *process) signal(sig os.Signal) bool {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return false
	}
	select {
	case <-exited:
		return false
	default:
	}
	_ = cmd.Process.Signal(sig)
	<-exited
	return true
}
