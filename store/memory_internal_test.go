package store

import (
	"bytes"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/vcodekit/vcode/internal/clock"
)

// recordSize is the size class a pending code's one allocation fits,
// besides go-cache's own entry.
const recordSize = 48

// TestRecordFitsSizeClass: the usual record is one small allocation that the
// garbage collector need not scan.
func TestRecordFitsSizeClass(t *testing.T) {
	if got := unsafe.Sizeof(memoryRecord{}); got > recordSize {
		t.Fatalf("memoryRecord is %d bytes, over the %d-byte size class", got, recordSize)
	}
	rt := reflect.TypeFor[memoryRecord]()
	for i := range rt.NumField() {
		switch f := rt.Field(i); f.Type.Kind() {
		case reflect.Int64, reflect.Int32, reflect.Array:
			if f.Type.Kind() == reflect.Array && f.Type.Elem().Kind() != reflect.Uint8 {
				t.Errorf("field %s: %v", f.Name, f.Type)
			}
		default:
			t.Errorf("field %s is a %v: the record must hold no pointer", f.Name, f.Type)
		}
	}
	m := NewMemory()
	defer m.Close()
	// A key of another length than the verifier's 16 bytes: a go-cache item.
	if err := m.Save(t.Context(), "k", Record{Digest: make([]byte, 32), TTL: time.Minute, MaxAttempts: 5}); err != nil {
		t.Fatal(err)
	}
	sh := m.mem.Shard("k")
	sh.Lock()
	v, _ := sh.Get("k")
	sh.Unlock()
	if reflect.TypeOf(v) != reflect.TypeFor[*memoryRecord]() {
		t.Fatalf("a 32-byte digest is kept as %T", v)
	}
	// A 16-byte key: packed, no go-cache item.
	const key = "0123456789abcdef"
	if err := m.Save(t.Context(), key, Record{Digest: make([]byte, 32), TTL: time.Minute, MaxAttempts: 5}); err != nil {
		t.Fatal(err)
	}
	sh = m.mem.Shard(key)
	sh.Lock()
	_, inGoCache := sh.Get(key)
	p, k, _ := packed(sh, key)
	rec := p[k]
	sh.Unlock()
	if inGoCache || rec == nil {
		t.Fatalf("a 16-byte key's usual record: packed %v, in go-cache %v", rec != nil, inGoCache)
	}
}

// TestLongDigestAndPayload covers the rare record parts kept behind a
// pointer.
func TestLongDigestAndPayload(t *testing.T) {
	m := NewMemory()
	defer m.Close()
	long := bytes.Repeat([]byte{7}, 64)
	if err := m.Save(t.Context(), "k", Record{Digest: long, Sealed: []byte("p"), TTL: time.Minute, MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	if sealed, _, _ := m.Peek(t.Context(), "k"); string(sealed) != "p" {
		t.Fatalf("Peek = %q", sealed)
	}
	if r, _ := m.Consume(t.Context(), "k", long[:32]); r != Mismatch {
		t.Fatalf("a prefix of a long digest: %v", r)
	}
	if r, _ := m.Consume(t.Context(), "k", long); r != Match {
		t.Fatalf("the long digest: %v", r)
	}
}

// TestMemoryExpiresByItsClockOnly: under WithClock, a record lives until
// that clock passes its TTL, however much real time passes (a record given
// a nanosecond is still there at the next call, real time having passed
// it, while the clock stood still), and once the clock has passed it the
// record is not found and the sweep reclaims it.
func TestMemoryExpiresByItsClockOnly(t *testing.T) {
	// The verifier's keys are 16 bytes, kept packed; others in go-cache.
	for _, keys := range [][2]string{{"nanosecond", "minute"}, {"nanosecond-16byt", "minute-16-bytes!"}} {
		t.Run(keys[0], func(t *testing.T) { testExpiresByItsClockOnly(t, keys[0], keys[1]) })
	}
}

func testExpiresByItsClockOnly(t *testing.T, nanosecond, minute string) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := NewMemory(WithClock(c.Now))
	defer m.Close()
	ctx := t.Context()
	digest, wrong := make([]byte, 32), bytes.Repeat([]byte{1}, 32)
	sweepAll := func() {
		for i := range m.mem.NumShards() {
			m.mem.Sweep(i)
		}
	}
	for _, r := range []struct {
		key string
		ttl time.Duration
	}{{nanosecond, time.Nanosecond}, {minute, time.Minute}} {
		if err := m.Save(ctx, r.key, Record{Digest: digest, TTL: r.ttl, MaxAttempts: 5}); err != nil {
			t.Fatal(err)
		}
	}
	sweepAll()
	if got := m.Len(); got != 2 {
		t.Errorf("the clock stood still, and a sweep left %d records of 2", got)
	}
	if r, _ := m.Consume(ctx, nanosecond, digest); r != Match {
		t.Errorf("a record whose TTL the clock has not passed: %v", r)
	}
	if r, _ := m.Consume(ctx, minute, wrong); r != Mismatch {
		t.Errorf("a record whose TTL the clock has not passed: %v", r)
	}
	c.Advance(2 * time.Minute)
	if r, _ := m.Consume(ctx, minute, digest); r != NotFound {
		t.Errorf("a record whose TTL the clock has passed: %v", r)
	}
	sweepAll()
	if got := m.Len(); got != 0 {
		t.Errorf("the clock passed the TTL, and a sweep left %d records", got)
	}
}

// TestPackedAndGoCacheHoldOneRecord: a 16-byte key's usual record is
// packed, its rare one a go-cache item; saving one kind over the other
// replaces it wherever it was, so a key never has two records.
func TestPackedAndGoCacheHoldOneRecord(t *testing.T) {
	m := NewMemory()
	defer m.Close()
	ctx := t.Context()
	const key = "0123456789abcdef"
	usual, rare := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 40)
	where := func() (packedN, goCache int) {
		sh := m.mem.Shard(key)
		sh.Lock()
		defer sh.Unlock()
		p, k, _ := packed(sh, key)
		if p[k] != nil {
			packedN++
		}
		if _, ok := sh.Get(key); ok {
			goCache++
		}
		return packedN, goCache
	}
	steps := []struct {
		digest          []byte
		packed, goCache int
	}{{usual, 1, 0}, {rare, 0, 1}, {usual, 1, 0}, {rare, 0, 1}}
	for i, s := range steps {
		if err := m.Save(ctx, key, Record{Digest: s.digest, TTL: time.Minute, MaxAttempts: 3}); err != nil {
			t.Fatal(err)
		}
		if p, g := where(); p != s.packed || g != s.goCache || m.Len() != 1 {
			t.Fatalf("step %d: %d packed, %d in go-cache, Len %d", i, p, g, m.Len())
		}
	}
	// The last save was the rare record: the usual digest is wrong.
	if r, _ := m.Consume(ctx, key, usual); r != Mismatch {
		t.Fatalf("the replaced record's digest: %v", r)
	}
	if err := m.Save(ctx, key, Record{Digest: usual, TTL: time.Minute, MaxAttempts: 3}); err != nil {
		t.Fatal(err)
	}
	if r, _ := m.Consume(ctx, key, usual); r != Match || m.Len() != 0 {
		t.Fatalf("the packed record: %v, Len %d after its match", r, m.Len())
	}
}
