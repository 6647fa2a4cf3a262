package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

var hookSecret = []byte("webhook secret of 32 bytes......")

var sample = verifier.Message{
	Channel: verifier.SMS, To: "+8613612345678", Code: "753927", Language: i18n.EnUS,
	ExpiresAt: time.Date(2026, 11, 25, 10, 1, 0, 0, time.UTC), Text: "Your verification code is 753927.", RequestID: "rid-1",
}

// receiver is a webhook endpoint that checks each request's signature and
// answers with the statuses given, one per attempt (the last repeats).
type receiver struct {
	srv      *httptest.Server
	attempts atomic.Int32
	bodies   chan []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{bodies: make(chan []byte, 16)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := int(r.attempts.Add(1))
		body, _ := io.ReadAll(req.Body)
		if err := notify.VerifySignature(hookSecret, req.Header.Get(notify.SignatureHeader), body, 0, time.Now()); err != nil {
			t.Errorf("attempt %d: signature: %v", n, err)
		}
		if req.Method != "POST" || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("attempt %d: %s %s", n, req.Method, req.Header.Get("Content-Type"))
		}
		r.bodies <- body
		status := statuses[min(n, len(statuses))-1]
		if status == -1 { // hang past the client's timeout
			<-req.Context().Done()
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func newHook(t *testing.T, url string, retries int) *notify.Webhook {
	t.Helper()
	h, err := notify.NewWebhook(notify.WebhookConfig{
		URL: url, Secret: hookSecret, Retries: retries, Backoff: time.Millisecond, Timeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestWebhookDelivers(t *testing.T) {
	r := newReceiver(t, 204)
	if err := newHook(t, r.srv.URL, 0).Notify(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(<-r.bodies, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"channel": "sms", "to": "+8613612345678", "code": "753927", "text": "Your verification code is 753927.",
		"language": "en-US", "expires_at": "2026-11-25T10:01:00Z", "request_id": "rid-1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("body has %d fields: %v", len(got), got)
	}
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		retries  int
		ok       bool
		attempts int32
	}{
		{"5xx then success", []int{503, 500, 200}, 2, true, 3},
		{"5xx exhausts retries", []int{502}, 2, false, 3},
		{"4xx is not retried", []int{400}, 2, false, 1},
		{"401 is not retried", []int{401}, 5, false, 1},
		{"no retries", []int{500, 200}, -1, false, 1},
		{"timeout is retried", []int{-1, 200}, 1, true, 2},
		{"3xx is a failure", []int{302}, 2, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReceiver(t, tt.statuses...)
			err := newHook(t, r.srv.URL, tt.retries).Notify(context.Background(), sample)
			if (err == nil) != tt.ok {
				t.Fatalf("Notify = %v, want ok=%v", err, tt.ok)
			}
			if got := r.attempts.Load(); got != tt.attempts {
				t.Fatalf("%d attempts, want %d", got, tt.attempts)
			}
			if err != nil && strings.Contains(err.Error(), sample.Code) {
				t.Fatalf("error leaks the code: %v", err)
			}
		})
	}
}

func TestWebhookNetworkErrorRetried(t *testing.T) {
	r := newReceiver(t, 200)
	url := r.srv.URL
	r.srv.Close() // nothing listens any more
	start := time.Now()
	if err := newHook(t, url, 2).Notify(context.Background(), sample); err == nil {
		t.Fatal("delivered to a closed port")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("retries against a closed port took too long")
	}
}

func TestWebhookHonoursContext(t *testing.T) {
	r := newReceiver(t, 500)
	h, _ := notify.NewWebhook(notify.WebhookConfig{URL: r.srv.URL, Secret: hookSecret, Retries: 10, Backoff: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for r.attempts.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if err := h.Notify(ctx, sample); !errors.Is(err, context.Canceled) {
		t.Fatalf("Notify = %v, want it to stop on cancellation during backoff", err)
	}
}

func TestWebhookConfig(t *testing.T) {
	for name, cfg := range map[string]notify.WebhookConfig{
		"relative URL":      {URL: "/hook", Secret: hookSecret},
		"plain http remote": {URL: "http://example.com/hook", Secret: hookSecret},
		"ftp":               {URL: "ftp://127.0.0.1/", Secret: hookSecret},
		"short secret":      {URL: "https://example.com/hook", Secret: []byte("short")},
		"no secret":         {URL: "https://example.com/hook"},
	} {
		if _, err := notify.NewWebhook(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, u := range []string{"https://example.com/hook", "http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]/x"} {
		if _, err := notify.NewWebhook(notify.WebhookConfig{URL: u, Secret: hookSecret}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"code":"753927"}`)
	now := time.Unix(1764064800, 0)
	good := notify.Sign(hookSecret, now, body)
	tests := []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"valid", good, body, now, nil},
		{"within tolerance", good, body, now.Add(4 * time.Minute), nil},
		{"stale", good, body, now.Add(6 * time.Minute), notify.ErrStale},
		{"from the future", good, body, now.Add(-6 * time.Minute), notify.ErrStale},
		{"body changed", good, []byte(`{"code":"000000"}`), now, notify.ErrBadSignature},
		{"timestamp changed", strings.Replace(good, "t=1764064800", "t=1764064801", 1), body, now, notify.ErrBadSignature},
		{"other secret", notify.Sign([]byte("another secret of 32 bytes......"), now, body), body, now, notify.ErrBadSignature},
		{"rotation: second v1 matches", notify.Sign([]byte("another secret of 32 bytes......"), now, body) + "," + good[strings.Index(good, "v1="):], body, now, nil},
		{"empty", "", body, now, notify.ErrBadSignature},
		{"no v1", "t=1764064800", body, now, notify.ErrBadSignature},
		{"garbage", "t=x,v1=zz", body, now, notify.ErrBadSignature},
	}
	for _, tt := range tests {
		if err := notify.VerifySignature(hookSecret, tt.header, tt.body, 0, tt.at); !errors.Is(err, tt.want) && err != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestRouter(t *testing.T) {
	sms, email := &notify.Recorder{}, &notify.Recorder{}
	r := notify.NewRouter(map[verifier.Channel]verifier.Notifier{verifier.SMS: sms, verifier.Email: email})
	ctx := context.Background()
	r.Notify(ctx, verifier.Message{Channel: verifier.SMS, To: "+1"})
	r.Notify(ctx, verifier.Message{Channel: verifier.Email, To: "a@b"})
	if sms.Len() != 1 || email.Len() != 1 {
		t.Fatalf("sms %d, email %d", sms.Len(), email.Len())
	}
	only := notify.NewRouter(map[verifier.Channel]verifier.Notifier{verifier.Email: email, verifier.SMS: nil})
	if only.Supports(verifier.SMS) || !only.Supports(verifier.Email) {
		t.Fatal("Supports")
	}
	if err := only.Notify(ctx, verifier.Message{Channel: verifier.SMS}); !errors.Is(err, verifier.ErrNotAllowed) {
		t.Fatalf("unrouted channel: %v", err)
	}
}
