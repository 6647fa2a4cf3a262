package httpmw_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

type traceKey struct{}

// traced counts backend calls that carry the request's trace value, as a
// host's tracing middleware (otelhttp) would put there.
type traced struct{ seen, missed atomic.Int32 }

func (tr *traced) check(ctx context.Context) {
	if ctx.Value(traceKey{}) == "trace-1" {
		tr.seen.Add(1)
	} else {
		tr.missed.Add(1)
	}
}

type tracedStore struct {
	store.CodeStore
	tr *traced
}

func (s tracedStore) Save(ctx context.Context, k string, r store.Record) error {
	s.tr.check(ctx)
	return s.CodeStore.Save(ctx, k, r)
}
func (s tracedStore) Consume(ctx context.Context, k string, d []byte) (store.Result, error) {
	s.tr.check(ctx)
	return s.CodeStore.Consume(ctx, k, d)
}

// tracedLimiter checks every call a Verifier makes, the pumping guard's
// included.
type tracedLimiter struct {
	limiter.GuardLimiter
	tr *traced
}

func (l tracedLimiter) Allow(ctx context.Context, k string, rules ...limiter.Rule) (limiter.Decision, error) {
	l.tr.check(ctx)
	return l.GuardLimiter.Allow(ctx, k, rules...)
}
func (l tracedLimiter) AllowAll(ctx context.Context, reqs []limiter.Request, ds []limiter.Decision) (int, error) {
	l.tr.check(ctx)
	return l.GuardLimiter.AllowAll(ctx, reqs, ds)
}
func (l tracedLimiter) AllowSend(ctx context.Context, reqs []limiter.Request, s limiter.GuardSend, ds []limiter.Decision) (limiter.SendDecision, error) {
	l.tr.check(ctx)
	return l.GuardLimiter.AllowSend(ctx, reqs, s, ds)
}
func (l tracedLimiter) Verified(ctx context.Context, k limiter.GuardKey, at time.Time) error {
	l.tr.check(ctx)
	return l.GuardLimiter.Verified(ctx, k, at)
}

// TestContextReachesBackends: the request's context, with whatever a host's
// middleware put in it, reaches every store, limiter and notifier call
// made for the request (the pumping guard's conversion, written after
// the answer, is not).
func TestContextReachesBackends(t *testing.T) {
	tr := &traced{}
	var code string
	n := delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
		tr.check(ctx)
		code = m.Code
		return nil
	})
	v, err := verifier.New(n,
		verifier.WithStore(tracedStore{store.NewMemory(), tr}),
		verifier.WithLimiter(tracedLimiter{limiter.NewMemory(), tr}),
		verifier.WithSecrets([]byte("vcode test secret, 32 bytes long")))
	if err != nil {
		t.Fatal(err)
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{token: "alice"})
	h, _ := httpmw.New(v, auth)
	tracing := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), traceKey{}, "trace-1")))
		})
	}
	srv := tracing(h)
	for _, body := range []string{sendBody, ""} {
		if body == "" {
			body = verifyBody(code)
		}
		path := httpmw.SendPath
		if strings.Contains(body, "verificationCode") {
			path = httpmw.VerifyPath
		}
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", token)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	// send: one call for the limits and the pumping guard + save +
	// notify; verify: one call for the limits + consume. The guard's count
	// of the verified code is written after the answer, on a context of
	// its own (Flush waits for it).
	v.Flush(context.Background())
	if tr.missed.Load() != 1 || tr.seen.Load() != 5 {
		t.Fatalf("backend calls with the request context: %d, without: %d; want 5 and the conversion's 1", tr.seen.Load(), tr.missed.Load())
	}
}
