package store_test

import (
	"context"
	"encoding/binary"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/store"
)

func BenchmarkMemory(b *testing.B) {
	ctx := context.Background()
	s := store.NewMemory()
	defer s.Close()
	keys := make([]string, 10000)
	digest := make([]byte, 32)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
		s.Save(ctx, keys[i], store.Record{Digest: digest, TTL: time.Hour, MaxAttempts: 1 << 30})
	}
	wrong := make([]byte, 32)
	wrong[0] = 1
	b.Run("Save", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.Save(ctx, keys[i%len(keys)], store.Record{Digest: digest, TTL: time.Hour, MaxAttempts: 1 << 30})
			i++
		}
	})
	b.Run("Consume", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.Consume(ctx, keys[i%len(keys)], wrong)
			i++
		}
	})
	// ConsumeParallel: every core at once, on unrelated keys.
	b.Run("ConsumeParallel", func(b *testing.B) {
		b.ReportAllocs()
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(7919))
			for pb.Next() {
				s.Consume(ctx, keys[i%len(keys)], wrong)
				i++
			}
		})
	})
}

// BenchmarkMemoryVerifierKeys is BenchmarkMemory with keys shaped as the
// verifier's, 16-byte HMACs, which the store keeps packed.
func BenchmarkMemoryVerifierKeys(b *testing.B) {
	ctx := context.Background()
	s := store.NewMemory()
	defer s.Close()
	keys := make([]string, 10000)
	digest := make([]byte, 32)
	for i := range keys {
		var k [16]byte
		binary.LittleEndian.PutUint64(k[:], uint64(i)*0x9E3779B97F4A7C15)
		keys[i] = string(k[:])
		s.Save(ctx, keys[i], store.Record{Digest: digest, TTL: time.Hour, MaxAttempts: 1 << 30})
	}
	wrong := make([]byte, 32)
	wrong[0] = 1
	b.Run("Save", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.Save(ctx, keys[i%len(keys)], store.Record{Digest: digest, TTL: time.Hour, MaxAttempts: 1 << 30})
			i++
		}
	})
	b.Run("Consume", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			s.Consume(ctx, keys[i%len(keys)], wrong)
			i++
		}
	})
}
