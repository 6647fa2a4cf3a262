package limiter

import "time"

// Option configures a Memory limiter. An option only records its value.
type Option func(*options)

// options are the values the options recorded; a zero field is an option
// not given, which NewMemory replaces with its default.
type options struct {
	now func() time.Time
}

// WithClock sets the limiter's clock; tests pass a fake one. That clock
// alone decides: a key's events stay until it says they have left the
// window, however much real time passes. A nil now is time.Now, the
// default, under which go-cache's own expiry drops stale keys.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// NewMemory returns an empty in-memory limiter. It allocates the limiter's
// structures and starts its sweeper lazily, on first use; see Close. Its
// options cannot be wrong, so it returns no error.
func NewMemory(opts ...Option) *Memory {
	m := &Memory{}
	for _, opt := range opts {
		opt(&m.options)
	}
	m.mem.SetClock(m.now) // nil: go-cache's expiry, by time.Now
	m.mem.SetPacked(newPackedKeys)
	m.guard.SetClock(m.now)
	if m.now == nil {
		m.now = time.Now
	}
	return m
}
