// Package clock is the manual clock of vcode's tests: the conformance
// suites (storetest, limitertest) move it instead of sleeping, and
// vcodetest hands it to the host's tests as vcodetest.Clock.
//
// It imports nothing of vcode, so that a suite that moves time needs the
// interface it checks and this package, and not the verifier. It is
// internal: the suites take the clock of the backend they check as a
// func() time.Time and never show this type, and vcodetest.Clock is the
// one name under which hosts use it.
package clock

import (
	"sync/atomic"
	"time"
)

// Manual is a manual clock: it stands still until Advance moves it. Pass
// its Now method wherever vcode takes a clock. It is safe for concurrent
// use.
type Manual struct {
	ns atomic.Int64
}

// NewManual returns a clock set to start.
func NewManual(start time.Time) *Manual {
	c := &Manual{}
	c.ns.Store(start.UnixNano())
	return c
}

// Now returns the clock's time.
func (c *Manual) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Advance moves the clock by d (back, for a negative d: a wall clock that
// steps back).
func (c *Manual) Advance(d time.Duration) { c.ns.Add(int64(d)) }
