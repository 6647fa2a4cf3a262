package verifier_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// benchVerifier has limits high enough that the benchmarks measure the
// pipeline, not the refusal path.
func benchVerifier(b *testing.B, n delivery.Notifier, opts ...verifier.Option) *verifier.Verifier {
	v, err := verifier.New(n, append([]verifier.Option{
		withLimits(func(l *verifier.Limits) {
			l.Cooldown, l.Send.Limit, l.Verify.Limit, l.Guesses, l.Subject = 0, 1<<30, 1<<30, 1<<30, verifier.ClientLimits{}
			l.Deliveries = limiter.Rule{Limit: 1 << 30, Window: time.Minute}
		})}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func contacts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("+86136%08d", i)
	}
	return out
}

// BenchmarkSend sends SMS codes with the pumping guard at its default
// level and off, side by side: the guard's cost on the memory backends.
// The sends are Trusted, so that the guard judges and counts every one
// without refusing the prefix its unverified codes would spend.
func BenchmarkSend(b *testing.B) {
	for _, bb := range []struct {
		name  string
		guard verifier.Guard
	}{{"guard=standard", verifier.DefaultGuard()}, {"guard=off", verifier.Guard{}}} {
		b.Run(bb.name, func(b *testing.B) {
			v := benchVerifier(b, notify.Discard, verifier.WithGuard(bb.guard))
			cs := contacts(10000)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := v.Send(ctx, verifier.Request{Contact: cs[i%len(cs)], Subject: "bench", Trusted: true}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	rec := &notify.Recorder{}
	// The guard off: 10,000 codes to one prefix, none verified, is the
	// pattern it refuses.
	v := benchVerifier(b, rec, verifier.WithGuard(verifier.Guard{}))
	cs := contacts(10000)
	ctx := context.Background()
	codes := make([]string, len(cs))
	for i, c := range cs {
		sent, err := v.Send(ctx, verifier.Request{Contact: c, Subject: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		codes[i], _ = rec.LastCode(sent.Contact.Value)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Wrong guesses (the cap is out of reach), so the codes stay
		// pending and every iteration does the full check.
		c := i % len(cs)
		if _, err := v.Verify(ctx, verifier.Request{Contact: cs[c], Subject: "bench"}, wrong(codes[c])); err == nil {
			b.Fatal("wrong code verified")
		}
		i++
	}
}
