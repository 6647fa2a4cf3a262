package main

import (
	"testing"

	"github.com/vcodekit/vcode/verifier"
)

// BenchmarkPendingCodeMemory reports the heap per pending code at 100,000
// contacts sent a code, what -memory measures (the figure at a million is
// in docs/performance.md): "command" as -memory runs it, the store record
// and the contact's limiter state with the parsed-contact cache's share
// (at 100,000 the cache, 100,000 entries by default, is a larger share
// than at a million); "backends" without the cache, the store and the
// limiter alone. One iteration takes some seconds of sends.
func BenchmarkPendingCodeMemory(b *testing.B) {
	const n = 100_000
	for _, c := range []struct {
		name string
		opts []verifier.Option
	}{
		{"command", nil},
		{"backends", []verifier.Option{verifier.WithContactCache(0)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				grown, _, err := pendingCodesHeap(n, "", c.opts)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(grown/n, "B/pending-code")
			}
		})
	}
}
