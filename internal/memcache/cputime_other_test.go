//go:build !linux

package memcache_test

import "time"

// threadCPU is not measured here: BenchmarkSweepPause reports wall time
// only.
func threadCPU() (time.Duration, bool) { return 0, false }
