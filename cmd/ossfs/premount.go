package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/urfave/cli/v2"
)

// preMount watches for a signal while ossfs prepares to mount: the first
// one cancels ctx (a bucket check may take up to checkTimeout) and is
// remembered, so the process exits without mounting instead of mounting
// and then unmounting.
type preMount struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed by stop
	exited chan struct{} // closed when the watcher has returned

	once sync.Once
	sig  os.Signal // written by the watcher before exited is closed
}

func watchPreMount(sigs <-chan os.Signal) *preMount {
	ctx, cancel := context.WithCancel(context.Background())
	p := &preMount{ctx: ctx, cancel: cancel, done: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		select {
		case p.sig = <-sigs:
			cancel()
		case <-p.done:
		}
	}()
	return p
}

// interrupted returns the "interrupted before mounting" error once a
// signal was caught, else nil.
func (p *preMount) interrupted() error {
	if p.ctx.Err() == nil {
		return nil
	}
	<-p.exited
	return interruptedError(p.sig)
}

// stop ends the watch (later signals stay in the channel for the serve
// loop) and reports a signal caught before it. Safe to call twice.
func (p *preMount) stop() error {
	p.once.Do(func() { close(p.done) })
	<-p.exited
	p.cancel()
	if p.sig != nil {
		return interruptedError(p.sig)
	}
	return nil
}

// interruptedError exits 128 + the signal number, as a shell reports a
// command killed by it: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
func interruptedError(sig os.Signal) error {
	code := 1
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	return cli.Exit(fmt.Sprintf("interrupted before mounting (%s); nothing was mounted", sigName(sig)), code)
}

func sigName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return sig.String()
}
