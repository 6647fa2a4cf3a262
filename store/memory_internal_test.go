package store

import (
	"bytes"
	"testing"
	"time"
	"unsafe"
)

func TestRecordFitsSizeClass(t *testing.T) {
	if got := unsafe.Sizeof(memoryRecord{}); got > recordSize {
		t.Fatalf("memoryRecord is %d bytes, over the %d-byte size class", got, recordSize)
	}
}

// TestLongDigestAndPayload covers the rare record parts kept behind a
// pointer.
func TestLongDigestAndPayload(t *testing.T) {
	m := NewMemory()
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
