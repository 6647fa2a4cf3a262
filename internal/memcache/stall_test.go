package memcache_test

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/memcache"
)

var sweepStallKeys = flag.Int("sweepstall.keys", 1_000_000, "pending codes held by BenchmarkSweepStall")

// BenchmarkSweepStall measures how long calls of the in-memory backends wait
// for the sweep that reclaims expired entries, on a verifier's load: two
// owners, as store.Memory and limiter.Memory are, each holding
// -sweepstall.keys live entries (a pending code, a send key) plus a tenth as
// many already expired. 32 clients, each pausing 200µs between calls as
// request handlers would, make the read-modify-write of a Consume or an
// Allow (the key's shard locked, a Get and a Set) on random keys, while the
// sweeps of a whole minute (every shard of both, once) run within each
// one-second round.
//
// shards=1 is one go-cache and one lock, swept at once; shards=128 is the
// layout in use, a shard swept every 1/128 of the pass. Both run in the
// same process, one after the other.
//
// Metrics, over all rounds: the p50, p99, p99.9 and max latency of a call,
// in µs, corrected for coordinated omission (a call that took L also counts
// the calls its client would have made meanwhile, as taking L-200µs,
// L-400µs, ... down to 200µs); and the median and longest time a single sweep (one DeleteExpired
// of one shard) took, in which it held its shard's lock. On a loaded machine
// the maxima include the time a thread waited for a core; the medians do
// not, mostly. The pass is squeezed from a minute into 0.8 s, so for
// shards=1 the share of calls that hit a sweep is about 75 times what it is
// in production: its p99 here is about its p99.99 there; the maxima are
// those of production. ns/op is left out; run with -benchtime=3x or so.
//
//	go test -run '^$' -bench SweepStall -benchtime 3x ./internal/memcache
func BenchmarkSweepStall(b *testing.B) {
	for _, shards := range []int{1, memcache.Shards} {
		b.Run(fmt.Sprint("shards=", shards), func(b *testing.B) { benchSweepStall(b, shards) })
	}
}

func benchSweepStall(b *testing.B, shards int) {
	const (
		clients = 32
		pause   = 200 * time.Microsecond
		round   = time.Second
		before  = 100 * time.Millisecond // then the sweeps,
		pass    = 800 * time.Millisecond // over this long
	)
	n := *sweepStallKeys
	type owner struct{ mem memcache.Lazy }
	codes, limits := &owner{}, &owner{}
	sLazy, lLazy := &codes.mem, &limits.mem
	for _, lz := range []*memcache.Lazy{sLazy, lLazy} {
		lz.SetShards(shards)
		lz.Close() // before first use: no sweeper of its own; this benchmark sweeps
	}
	memcache.Init(sLazy, codes)
	memcache.Init(lLazy, limits)

	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string {
		var k [16]byte
		binary.LittleEndian.PutUint64(k[:], rng.Uint64())
		binary.LittleEndian.PutUint64(k[8:], rng.Uint64())
		return string(k[:])
	}
	// update is the read-modify-write of a Consume or an Allow.
	update := func(lz *memcache.Lazy, k string) {
		sh := lz.Shard(k)
		sh.Lock()
		v, _ := sh.Get(k)
		sh.Set(k, v, time.Hour)
		sh.Unlock()
	}
	live := [2][]string{make([]string, n), make([]string, n)}
	for i := range n {
		live[0][i], live[1][i] = key(), key()
		sLazy.Shard(live[0][i]).Set(live[0][i], i, time.Hour)
		lLazy.Shard(live[1][i]).Set(live[1][i], i, time.Hour)
	}

	var (
		lats, sweeps []time.Duration
		calls        atomic.Int64
	)
	for b.Loop() {
		b.StopTimer()
		// A tenth as many entries again, expired by the time of the sweeps.
		for range n / 10 {
			for _, lz := range []*memcache.Lazy{sLazy, lLazy} {
				k := key()
				lz.Shard(k).Set(k, 0, time.Millisecond)
			}
		}
		time.Sleep(2 * time.Millisecond)
		runtime.GC()
		b.StartTimer()

		start := time.Now()
		var wg sync.WaitGroup
		perClient := make([][]time.Duration, clients)
		for c := range clients {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(c), 3))
				mine := make([]time.Duration, 0, int(round/pause))
				for j := 0; time.Since(start) < round; j++ {
					i := r.IntN(n)
					t0 := time.Now()
					if j%2 == 0 {
						update(sLazy, live[0][i])
					} else {
						update(lLazy, live[1][i])
					}
					d := time.Since(t0)
					mine = append(mine, d)
					// The calls this client would have made while it
					// waited (coordinated omission, corrected as
					// HdrHistogram's recordValueWithExpectedInterval).
					for w := d - pause; w >= pause; w -= pause {
						mine = append(mine, w)
					}
					calls.Add(1)
					time.Sleep(pause)
				}
				perClient[c] = mine
			})
		}
		wg.Go(func() {
			time.Sleep(before)
			for i := range shards {
				for _, lz := range []*memcache.Lazy{sLazy, lLazy} {
					t0 := time.Now()
					lz.Sweep(i)
					sweeps = append(sweeps, time.Since(t0))
				}
				// Like the sweeper's ticks: the next shard's turn.
				time.Sleep(time.Until(start.Add(before + pass*time.Duration(i+1)/time.Duration(shards))))
			}
		})
		wg.Wait()
		for _, m := range perClient {
			lats = append(lats, m...)
		}
	}
	if got := sLazy.Len(); got != n {
		b.Fatalf("the sweeps left %d records of %d live and %d expired", got, n, n/10)
	}

	slices.Sort(lats)
	slices.Sort(sweeps)
	q := func(d []time.Duration, p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / 1e3 }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(q(lats, 0.5), "p50-us")
	b.ReportMetric(q(lats, 0.99), "p99-us")
	b.ReportMetric(q(lats, 0.999), "p99.9-us")
	b.ReportMetric(q(lats, 1), "max-us")
	b.ReportMetric(q(sweeps, 0.5), "sweep-p50-us")
	b.ReportMetric(q(sweeps, 1), "sweep-max-us")
	b.ReportMetric(float64(calls.Load())/float64(b.N), "calls/round")
}

// BenchmarkSweepPause measures how long one sweep holds its shard's lock,
// with nothing else running: one owner holding -sweepstall.keys live
// entries plus a tenth as many expired, every shard swept once per
// iteration. Metrics: the median, p99 and longest sweep of a shard in µs
// of wall time (what a call on that shard may wait: on a loaded machine
// the longest includes time the thread waited for a core), and the same
// in CPU time of the sweeping thread where it can be read (Linux), which
// does not.
//
//	go test ./internal/memcache -run '^$' -bench SweepPause -benchtime 5x
func BenchmarkSweepPause(b *testing.B) {
	n := *sweepStallKeys
	type owner struct{ mem memcache.Lazy }
	o := &owner{}
	o.mem.Close() // no sweeper of its own: this benchmark sweeps
	memcache.Init(&o.mem, o)
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string {
		var k [16]byte
		binary.LittleEndian.PutUint64(k[:], rng.Uint64())
		binary.LittleEndian.PutUint64(k[8:], rng.Uint64())
		return string(k[:])
	}
	set := func(k string, d time.Duration) {
		sh := o.mem.Shard(k)
		sh.Lock()
		sh.Set(k, 0, d)
		sh.Unlock()
	}
	for range n {
		set(key(), time.Hour)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var walls, cpus []time.Duration
	for b.Loop() {
		b.StopTimer()
		for range n / 10 {
			set(key(), time.Millisecond)
		}
		time.Sleep(2 * time.Millisecond) // they expire
		runtime.GC()
		b.StartTimer()
		for i := range o.mem.NumShards() {
			c0, cpu := threadCPU()
			t0 := time.Now()
			o.mem.Sweep(i)
			walls = append(walls, time.Since(t0))
			if c1, _ := threadCPU(); cpu {
				cpus = append(cpus, c1-c0)
			}
		}
	}
	if got := o.mem.Len(); got != n {
		b.Fatalf("the sweeps left %d entries of %d live", got, n)
	}
	report := func(d []time.Duration, name string) {
		if len(d) == 0 {
			return
		}
		slices.Sort(d)
		q := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / 1e3 }
		b.ReportMetric(q(0.5), name+"-p50-us")
		b.ReportMetric(q(0.99), name+"-p99-us")
		b.ReportMetric(q(1), name+"-max-us")
	}
	b.ReportMetric(0, "ns/op")
	report(walls, "sweep")
	report(cpus, "sweep-cpu")
}
