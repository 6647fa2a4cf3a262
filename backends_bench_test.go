package vcode_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// BenchmarkVerifyBackends runs the same Verify on the memory backends and on
// Redis (VCODE_TEST_REDIS, or miniredis without it), side by side, so the
// two figures come from one run on the same machine.
func BenchmarkVerifyBackends(b *testing.B) {
	lift := vcodetest.BenchOptions()
	b.Run("memory", func(b *testing.B) { benchVerify(b, lift) })
	b.Run("redis", func(b *testing.B) {
		client := redistest.Client(b)
		prefix := redistest.Prefix(b)
		benchVerify(b, append(lift,
			verifier.WithSecrets([]byte("vcode benchmark secret, 32 bytes")),
			verifier.WithStore(redistest.Must(redisstore.New(client, prefix+"code:"))(b)),
			verifier.WithLimiter(redistest.Must(redislimiter.New(client, prefix+"limit:"))(b))))
	})
}

func benchVerify(b *testing.B, opts []verifier.Option) {
	rec := &notify.Recorder{}
	v, err := verifier.New(rec, opts...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const n = 1000
	reqs := make([]verifier.Request, n)
	wrongs := make([]string, n)
	for i := range reqs {
		reqs[i] = verifier.Request{Contact: fmt.Sprintf("+86136%08d", i), Subject: "bench"}
		sent, err := v.Send(ctx, reqs[i])
		if err != nil {
			b.Fatal(err)
		}
		code, _ := rec.LastCode(sent.Contact.Value)
		w := []byte(code)
		w[0] = '0' + (w[0]-'0'+1)%10
		wrongs[i] = string(w)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := v.Verify(ctx, reqs[i%n], wrongs[i%n]); err != verifier.ErrWrongCode {
			b.Fatal(err)
		}
		i++
	}
}
