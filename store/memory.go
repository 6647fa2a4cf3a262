package store

import (
	"bytes"
	"context"
	"crypto/subtle"
	"sync"
	"time"

	"github.com/patrickmn/go-cache"

	"github.com/vcodekit/vcode/internal/stripe"
)

// Memory is a CodeStore for a single process, on github.com/patrickmn/go-cache.
//
// Validity is judged by the clock given with WithClock (time.Now by default);
// go-cache's janitor reclaims expired records in real time. Atomicity comes
// from a fixed set of mutexes striped by key, so unrelated keys rarely wait
// for each other.
type Memory struct {
	cache *cache.Cache
	locks *stripe.Locks
	now   func() time.Time
}

var _ CodeStore = (*Memory)(nil)

// memoryRecord is one pending code with the usual 32-byte digest (an
// HMAC-SHA256) and nothing else: a single 48-byte allocation holding no
// pointer, so the garbage collector never scans it.
type memoryRecord struct {
	expires  int64 // unix nanoseconds by the store's clock
	attempts int32
	max      int32
	digest   [32]byte
}

// rareRecord is a pending code with a digest of another length or a sealed
// payload.
type rareRecord struct {
	memoryRecord
	anyDigest []byte // the digest, in place of memoryRecord.digest
	sealed    []byte
}

// record returns the pending code held in v, and its rare parts if any.
func record(v any) (*memoryRecord, *rareRecord) {
	switch r := v.(type) {
	case *memoryRecord:
		return r, nil
	case *rareRecord:
		return &r.memoryRecord, r
	}
	return nil, nil
}

// MemoryOption configures a Memory store.
type MemoryOption func(*Memory)

// WithClock sets the clock that decides expiry; tests pass a fake one.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *Memory) { m.now = now }
}

// NewMemory returns an empty in-memory store.
func NewMemory(opts ...MemoryOption) *Memory {
	m := &Memory{
		cache: cache.New(cache.NoExpiration, time.Minute),
		locks: stripe.New(),
		now:   time.Now,
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func (m *Memory) lock(key string) *sync.Mutex { return m.locks.For(key) }

// Save implements CodeStore.
func (m *Memory) Save(_ context.Context, key string, r Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	head := memoryRecord{
		expires: m.now().Add(r.TTL).UnixNano(),
		max:     int32(min(r.MaxAttempts, 1<<30)),
	}
	var rec any
	if len(r.Digest) == len(head.digest) && r.Sealed == nil {
		copy(head.digest[:], r.Digest)
		rec = &head
	} else {
		rec = &rareRecord{
			memoryRecord: head,
			anyDigest:    bytes.Clone(r.Digest),
			sealed:       bytes.Clone(r.Sealed), // nil stays nil
		}
	}
	mu := m.lock(key)
	mu.Lock()
	m.cache.Set(key, rec, r.TTL)
	mu.Unlock()
	return nil
}

// Peek implements CodeStore.
func (m *Memory) Peek(_ context.Context, key string) ([]byte, time.Duration, error) {
	now := m.now().UnixNano()
	mu := m.lock(key)
	mu.Lock()
	defer mu.Unlock()
	v, _ := m.cache.Get(key)
	rec, rare := record(v)
	if rec == nil || now >= rec.expires || rare == nil || rare.sealed == nil {
		return nil, 0, nil
	}
	return bytes.Clone(rare.sealed), time.Duration(rec.expires - now), nil
}

// dummyDigest is compared against when no record exists, so that a miss
// costs the same comparison as a hit.
var dummyDigest = make([]byte, 32)

// Consume implements CodeStore.
func (m *Memory) Consume(_ context.Context, key string, digest []byte) (Result, error) {
	now := m.now().UnixNano()
	mu := m.lock(key)
	mu.Lock()
	defer mu.Unlock()
	v, _ := m.cache.Get(key)
	rec, rare := record(v)
	if rec == nil || now >= rec.expires {
		subtle.ConstantTimeCompare(dummyDigest, digest)
		return NotFound, nil
	}
	want := rec.digest[:]
	if rare != nil {
		want = rare.anyDigest
	}
	if subtle.ConstantTimeCompare(want, digest) == 1 {
		m.cache.Delete(key)
		return Match, nil
	}
	rec.attempts++
	if rec.attempts >= rec.max {
		m.cache.Delete(key)
		return Exhausted, nil
	}
	return Mismatch, nil
}

// Delete implements CodeStore.
func (m *Memory) Delete(_ context.Context, key string) error {
	mu := m.lock(key)
	mu.Lock()
	m.cache.Delete(key)
	mu.Unlock()
	return nil
}

// Len returns the number of records held, expired ones not yet reclaimed
// included.
func (m *Memory) Len() int { return m.cache.ItemCount() }

// recordSize is asserted by a test: a pending code costs one 48-byte
// allocation besides go-cache's own entry.
const recordSize = 48
