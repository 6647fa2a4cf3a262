package httpmw_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// TestEnumerationSameAnswer: for a contact with a pending code and one that
// was never sent a code, a wrong verify gets the same status, headers and
// body, byte for byte once the request id is the same.
func TestEnumerationSameAnswer(t *testing.T) {
	e := newEnv(t, []verifier.Option{withLimits(func(l *verifier.Limits) { l.Verify.Limit = 100 })})
	e.send(t) // +8613612345678 has a pending code
	answer := func(contact string) (int, string, string) {
		w := e.do(call{path: httpmw.VerifyPath,
			body:   `{"contact":"` + contact + `","verificationCode":"000000"}`,
			header: map[string]string{"X-Request-Id": "same-id"}})
		h := w.Header()
		return w.Code, w.Body.String(), h.Get("Content-Type") + "|" + h.Get("Content-Length") + "|" + h.Get("Content-Language")
	}
	s1, b1, h1 := answer("+8613612345678")
	s2, b2, h2 := answer("+8613612345679")
	if s1 != s2 || b1 != b2 || h1 != h2 {
		t.Fatalf("pending: %d %s %s\nnever sent: %d %s %s", s1, b1, h1, s2, b2, h2)
	}
}

// TestEnumerationTiming compares the latency of wrong verifies for a
// contact with a pending code and for one without, over many interleaved
// samples. The medians must agree within a tolerance that survives a noisy
// machine; a real difference (an early return when no code exists) is
// several times larger. Up to three tries absorb a burst of noise.
func TestEnumerationTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("statistical timing test")
	}
	e := newEnv(t, []verifier.Option{verifier.WithLimits(vcodetest.Unlimited())})
	e.send(t)
	pending := `{"contact":"+8613612345678","verificationCode":"000000"}`
	absent := `{"contact":"+8613612345679","verificationCode":"000000"}`
	sample := func(body string) time.Duration {
		r := httptest.NewRequest("POST", httpmw.VerifyPath, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", token)
		w := httptest.NewRecorder()
		start := time.Now()
		e.h.ServeHTTP(w, r)
		d := time.Since(start)
		if w.Code != 400 {
			t.Fatalf("status %d", w.Code)
		}
		return d
	}
	const n = 3000
	var last string
	for try := range 3 {
		a, b := make([]time.Duration, 0, n), make([]time.Duration, 0, n)
		for i := range n {
			if i%2 == 0 { // alternate the order too
				a, b = append(a, sample(pending)), append(b, sample(absent))
			} else {
				b, a = append(b, sample(absent)), append(a, sample(pending))
			}
		}
		ma, mb := median(a), median(b)
		ratio := float64(max(ma, mb)) / float64(min(ma, mb))
		last = ma.String() + " with a pending code, " + mb.String() + " without"
		if ratio <= 1.25 || max(ma, mb)-min(ma, mb) < 2*time.Microsecond {
			t.Logf("try %d: median %s (ratio %.3f)", try+1, last, ratio)
			return
		}
	}
	t.Fatalf("verify timing reveals whether a code exists: median %s", last)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
