// Package fakeclock is a manual clock for tests that drive time instead of
// sleeping; the conformance suites export it as their Clock.
package fakeclock

import (
	"sync/atomic"
	"time"
)

// Clock is a manual clock. It is safe for concurrent use.
type Clock struct {
	ns atomic.Int64
}

// New returns a clock set to start.
func New(start time.Time) *Clock {
	c := &Clock{}
	c.ns.Store(start.UnixNano())
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }
