package store

import (
	"bytes"
	"reflect"
	"testing"
	"time"
	"unsafe"
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
