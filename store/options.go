package store

import "time"

// Option configures a Memory store. An option only records its value.
type Option func(*options)

// options are the values the options recorded; a zero field is an option
// not given, which NewMemory replaces with its default.
type options struct {
	now func() time.Time
}

// WithClock sets the clock that decides expiry; tests pass a fake one.
// That clock alone decides: a record stays until it says the TTL has
// passed, however much real time passes. A nil now is time.Now, the
// default, under which go-cache's own expiry reclaims records.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// NewMemory returns an empty in-memory store. It allocates the store's
// structures and starts its sweeper lazily, on first use; see Close. Its
// options cannot be wrong, so it returns no error.
func NewMemory(opts ...Option) *Memory {
	m := &Memory{}
	for _, opt := range opts {
		opt(&m.options)
	}
	m.mem.SetClock(m.now) // nil: go-cache's expiry, by time.Now
	m.mem.SetPacked(newPackedRecords)
	if m.now == nil {
		m.now = time.Now
	}
	return m
}
