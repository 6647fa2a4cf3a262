package store_test

import (
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
