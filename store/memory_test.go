package store_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.CodeStore {
		s := store.NewMemory(store.WithClock(now))
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestMemoryConformance16ByteKeys runs the suite with every key mapped to
// 16 bytes, the verifier's key length, which the store keeps packed.
func TestMemoryConformance16ByteKeys(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.CodeStore {
		s := store.NewMemory(store.WithClock(now))
		t.Cleanup(func() { s.Close() })
		return sixteen{s}
	})
}

// sixteen is a store whose keys are mapped to 16 bytes, one to one for
// the suite's keys (a truncated SHA-256).
type sixteen struct{ m *store.Memory }

func key16(key string) string {
	h := sha256.Sum256([]byte(key))
	return string(h[:16])
}

func (s sixteen) Save(ctx context.Context, key string, r store.Record) error {
	return s.m.Save(ctx, key16(key), r)
}

func (s sixteen) Consume(ctx context.Context, key string, digest []byte) (store.Result, error) {
	return s.m.Consume(ctx, key16(key), digest)
}

func (s sixteen) Delete(ctx context.Context, key string) error {
	return s.m.Delete(ctx, key16(key))
}

func (s sixteen) Peek(ctx context.Context, key string) ([]byte, time.Duration, error) {
	return s.m.Peek(ctx, key16(key))
}

func TestResultString(t *testing.T) {
	for r, want := range map[store.Result]string{
		store.NotFound: "not found", store.Match: "match", store.Mismatch: "mismatch",
		store.Exhausted: "exhausted", store.Result(99): "invalid",
	} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", r, r.String(), want)
		}
	}
}
