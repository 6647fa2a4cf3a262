package store

import (
	"bytes"
	"context"
	"crypto/subtle"
	"time"

	"github.com/vcodekit/vcode/internal/memcache"
)

// Memory is a CodeStore for a single process, on github.com/patrickmn/go-cache.
//
// Validity is judged by the clock given with WithClock (time.Now by default),
// on every read. The records are spread by a seeded hash of the key over
// 128 go-caches (shards), each under one mutex, the one lock a call takes:
// the check-and-consume of one key is atomic under it, and calls on keys
// of other shards do not wait for it. go-cache expires each record its TTL
// after it was saved, and deletes a shard's expired records under that
// mutex, once a minute, a shard at a time, so a call waits for a sweep of
// at most 1/128 of the records. Under a clock given with WithClock, that
// clock alone expires records, and the sweeps delete by it.
//
// NewMemory allocates little and starts nothing: the shards and a sweeping
// goroutine, which reclaims expired records within about a minute of real
// time, come with the first call of a method. Close stops the sweeper; call
// it when done with the store (a Memory that becomes unreachable unclosed
// has its sweeper stopped by the garbage collector, eventually).
type Memory struct {
	options // what NewMemory was given: now, the clock

	mem memcache.Lazy // the shards, made on first use
}

var _ Peeker = (*Memory)(nil)

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

// init readies m on first use: the shards and, unless m is closed, the
// sweeper.
func (m *Memory) init() { memcache.Init(&m.mem, m) }

// shard returns the shard holding key; its mutex guards the key.
func (m *Memory) shard(key string) *memcache.Shard {
	m.init()
	return m.mem.Shard(key)
}

// Close stops the goroutine that reclaims expired records, and returns once
// it has exited. It always returns nil, and may be called any number of
// times, concurrently with the other methods.
//
// The store stays usable after Close and answers as before: expiry is
// checked on every read, so an expired record is never found. But nothing
// reclaims expired records any more; they stay in memory until their key is
// saved again or deleted. Close a store when done with it.
func (m *Memory) Close() error {
	m.mem.Close()
	return nil
}

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
	sh := m.shard(key)
	sh.Lock()
	sh.Set(key, rec, r.TTL)
	sh.Unlock()
	return nil
}

// Peek implements Peeker.
func (m *Memory) Peek(_ context.Context, key string) ([]byte, time.Duration, error) {
	now := m.now().UnixNano()
	sh := m.shard(key)
	sh.Lock()
	defer sh.Unlock()
	v, _ := sh.Get(key)
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
	sh := m.shard(key)
	sh.Lock()
	defer sh.Unlock()
	v, _ := sh.Get(key)
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
		sh.Delete(key)
		return Match, nil
	}
	rec.attempts++
	if rec.attempts >= rec.max {
		sh.Delete(key)
		return Exhausted, nil
	}
	return Mismatch, nil
}

// Delete implements CodeStore.
func (m *Memory) Delete(_ context.Context, key string) error {
	sh := m.shard(key)
	sh.Lock()
	sh.Delete(key)
	sh.Unlock()
	return nil
}

// Len returns the number of records held, expired ones not yet reclaimed
// included.
func (m *Memory) Len() int {
	m.init()
	return m.mem.Len()
}
