package httpmw_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// benchHandler has limits high enough, and the pumping guard off, so that
// the benchmarks measure the pipeline rather than the refusal path.
func benchHandler(b *testing.B, n delivery.Notifier, opts ...httpmw.Option) *httpmw.Handler {
	v, err := verifier.New(n, vcodetest.BenchOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{token: "bench"})
	h, err := httpmw.New(v, auth, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func benchRequest(path, body string) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Access-Token", token)
	return r
}

func BenchmarkSendHandler(b *testing.B) {
	benchSend(b, benchHandler(b, notify.Discard))
}

// BenchmarkSendHandlerFlow is a send on a Handler limited to SMS with a
// before-send hook that lets every contact through: the price of a flow,
// the hook's second parse of the number included.
func BenchmarkSendHandlerFlow(b *testing.B) {
	benchSend(b, benchHandler(b, notify.Discard, httpmw.WithChannels(delivery.SMS),
		httpmw.WithBeforeSend(func(*http.Request, string, contact.Contact) error { return nil })))
}

func benchSend(b *testing.B, h *httpmw.Handler) {
	bodies := make([]string, 10000)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"contact":"+86136%08d","country":"chinaPR"}`, i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, benchRequest(httpmw.SendPath, bodies[i%len(bodies)]))
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		i++
	}
}

// BenchmarkVerifyHandler verifies wrong codes against 10,000 pending ones,
// so every request takes the full path (parse, limit, two HMACs, store).
func BenchmarkVerifyHandler(b *testing.B) {
	rec := &notify.Recorder{}
	h := benchHandler(b, rec)
	const n = 10000
	bodies := make([]string, n)
	for i := range bodies {
		c := fmt.Sprintf("+86136%08d", i)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, benchRequest(httpmw.SendPath, `{"contact":"`+c+`","country":"chinaPR"}`))
		code, ok := rec.LastCode(c)
		if w.Code != 200 || !ok {
			b.Fatalf("send %d: %d %s", i, w.Code, w.Body)
		}
		bad := []byte(code)
		bad[0] = '0' + (bad[0]-'0'+1)%10
		bodies[i] = `{"contact":"` + c + `","country":"chinaPR","verificationCode":"` + string(bad) + `"}`
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, benchRequest(httpmw.VerifyPath, bodies[i%n]))
		if w.Code != 400 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		i++
	}
}

// BenchmarkBareHandler builds requests and recorders as the handler
// benchmarks do and serves them with a handler that only reads the body:
// subtract it to see what vcode itself costs.
func BenchmarkBareHandler(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(400)
	})
	body := `{"contact":"+8613600000001","country":"chinaPR","verificationCode":"123456"}`
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, benchRequest(httpmw.VerifyPath, body))
	}
}

// BenchmarkVerifyHandler429 is the attack path: one contact with a pending
// code, hammered with wrong codes under the default limits.
func BenchmarkVerifyHandler429(b *testing.B) {
	v, err := verifier.New(notify.Discard)
	if err != nil {
		b.Fatal(err)
	}
	auth, _ := httpmw.NewStaticTokens(map[string]string{token: "bench"})
	h, _ := httpmw.New(v, auth)
	h.ServeHTTP(httptest.NewRecorder(), benchRequest(httpmw.SendPath, sendBody))
	body := verifyBody("000000")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, benchRequest(httpmw.VerifyPath, body))
		if w.Code != 429 && w.Code != 400 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkCrossOriginRefused is a forged request from a page on another
// site, hammered: refused before the credentials and the body.
func BenchmarkCrossOriginRefused(b *testing.B) {
	h := benchHandler(b, notify.Discard)
	b.ReportAllocs()
	for b.Loop() {
		r := benchRequest(httpmw.SendPath, sendBody)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://evil.example")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 403 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
