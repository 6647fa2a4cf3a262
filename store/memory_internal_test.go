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
	}{{"nanosecond", time.Nanosecond}, {"minute", time.Minute}} {
		if err := m.Save(ctx, r.key, Record{Digest: digest, TTL: r.ttl, MaxAttempts: 5}); err != nil {
			t.Fatal(err)
		}
	}
	sweepAll()
	if got := m.Len(); got != 2 {
		t.Errorf("the clock stood still, and a sweep left %d records of 2", got)
	}
	if r, _ := m.Consume(ctx, "nanosecond", digest); r != Match {
		t.Errorf("a record whose TTL the clock has not passed: %v", r)
	}
	if r, _ := m.Consume(ctx, "minute", wrong); r != Mismatch {
		t.Errorf("a record whose TTL the clock has not passed: %v", r)
	}
	c.Advance(2 * time.Minute)
	if r, _ := m.Consume(ctx, "minute", digest); r != NotFound {
		t.Errorf("a record whose TTL the clock has passed: %v", r)
	}
	sweepAll()
	if got := m.Len(); got != 0 {
		t.Errorf("the clock passed the TTL, and a sweep left %d records", got)
	}
}
