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

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
)

var hookSecret = []byte("webhook secret of 32 bytes......")

var sample = delivery.Message{
	Channel: delivery.SMS, To: "+8613612345678", Code: "753927", Language: i18n.EnUS,
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
	id, _ := got["message_id"].(string)
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		t.Errorf("message_id %q is not 32 hex digits", id)
	}
	delete(got, "message_id")
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

// TestWebhookRetries: what is repeated, and how a failure is reported:
// Undelivered (limits given back) only when no attempt can have delivered.
func TestWebhookRetries(t *testing.T) {
	const ambiguous, refused = "ambiguous", "refused"
	tests := []struct {
		name     string
		statuses []int
		retries  int
		verdict  string // "" for delivered
		attempts int32
	}{
		{"5xx then success", []int{503, 500, 200}, 2, "", 3},
		{"5xx exhausts retries", []int{502}, 2, ambiguous, 3},
		{"5xx then 4xx", []int{502, 400}, 2, ambiguous, 2},
		{"4xx is not retried", []int{400}, 2, refused, 1},
		{"401 is not retried", []int{401}, 5, refused, 1},
		{"429 is a refusal", []int{429}, 5, refused, 1},
		{"no retries", []int{500, 200}, -1, ambiguous, 1},
		{"a timeout after the request was written is never repeated", []int{-1, 200}, 2, ambiguous, 1},
		{"3xx is a refusal, not followed", []int{307}, 2, refused, 1},
		{"303 See Other may have been processed", []int{303}, 2, ambiguous, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReceiver(t, tt.statuses...)
			err := newHook(t, r.srv.URL, tt.retries).Notify(context.Background(), sample)
			switch {
			case tt.verdict == "" && err != nil,
				tt.verdict == refused && !errors.Is(err, delivery.ErrUndelivered),
				tt.verdict == ambiguous && (err == nil || errors.Is(err, delivery.ErrUndelivered)):
				t.Fatalf("Notify = %v, want %q", err, tt.verdict)
			}
			if got := r.attempts.Load(); got != tt.attempts {
				t.Fatalf("%d attempts, want %d", got, tt.attempts)
			}
			if err != nil && strings.Contains(err.Error(), sample.Code) {
				t.Fatalf("error leaks the code: %v", err)
			}
			// Retries carry one message_id.
			ids := map[string]bool{}
			for range tt.attempts {
				var b struct {
					MessageID string `json:"message_id"`
				}
				json.Unmarshal(<-r.bodies, &b)
				ids[b.MessageID] = true
			}
			if len(ids) != 1 {
				t.Fatalf("%d message ids over the retries of one message", len(ids))
			}
		})
	}
}

// TestWebhookNeverFollowsRedirects: a 3xx answer is not followed, even
// with a caller's client that would follow it: the signed code would go
// to another URL, maybe over plain HTTP. It is a refusal.
func TestWebhookNeverFollowsRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/steal", status)
		}))
		for _, client := range []*http.Client{nil, {}, http.DefaultClient} {
			h, err := notify.NewWebhook(notify.WebhookConfig{URL: hook.URL, Secret: hookSecret, Client: client, Backoff: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			err = h.Notify(context.Background(), sample)
			// 303 See Other may answer a POST that was processed: it
			// counts; the others say the resource is elsewhere.
			if refused := errors.Is(err, delivery.ErrUndelivered); err == nil || refused != (status != 303) {
				t.Errorf("%d: Notify = %v, want refused: %v", status, err, status != 303)
			}
		}
		hook.Close()
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the code was posted to the redirect target %d times", n)
	}
	if http.DefaultClient.CheckRedirect != nil {
		t.Fatal("the caller's client was changed")
	}
}

// TestWebhookErrorsRedactURL: a webhook URL's credentials (user info, an
// API key in the query) never appear in an error, which ends up in logs.
func TestWebhookErrorsRedactURL(t *testing.T) {
	r := newReceiver(t, 200)
	dead := r.srv.URL
	r.srv.Close()
	for _, u := range []string{
		dead + "/hook?apikey=SECRETKEY123",
		strings.Replace(dead, "http://", "http://user:SECRETKEY123@", 1) + "/hook",
	} {
		h := newHook(t, u, 1)
		err := h.Notify(context.Background(), sample)
		if err == nil {
			t.Fatal("delivered to a closed port")
		}
		if !errors.Is(err, delivery.ErrUndelivered) {
			t.Errorf("connection refused: %v, want Undelivered", err)
		}
		if strings.Contains(err.Error(), "SECRETKEY123") {
			t.Errorf("error leaks the URL's credentials: %v", err)
		}
		if !strings.Contains(err.Error(), "redacted") {
			t.Errorf("error does not show where the credentials were: %v", err)
		}
	}
	if _, err := notify.NewWebhook(notify.WebhookConfig{URL: "https://x.example/h?apikey=SECRETKEY123\x00%zz", Secret: hookSecret}); err == nil || strings.Contains(err.Error(), "SECRETKEY123") {
		t.Errorf("a bad URL's error: %v", err)
	}
	for _, u := range []string{
		"https://bridge:2024/Summer!@sms.example.com/send", // an unencoded '/' in a password
		"https://sms.example.com/send?key=a@b",
		"https://sms.example.com:99999/send",
		"https://bridge:2024#Summer!@sms.example.com/send", // an unencoded '#' in a password
		"https://sms.example.com/send#frag",
	} {
		if _, err := notify.NewWebhook(notify.WebhookConfig{URL: u, Secret: hookSecret}); err == nil || strings.Contains(err.Error(), "Summer") {
			t.Errorf("NewWebhook(%q): %v, want a refusal that does not quote it", u, err)
		}
	}
	if got := notify.RedactURL("https://u:p@h.example/p?k=v#f"); got != "https://redacted@h.example/p?redacted" {
		t.Errorf("RedactURL = %q", got)
	}
}

func TestWebhookNetworkErrorRetried(t *testing.T) {
	r := newReceiver(t, 200)
	url := r.srv.URL
	r.srv.Close() // nothing listens any more
	start := time.Now()
	if err := newHook(t, url, 2).Notify(context.Background(), sample); !errors.Is(err, delivery.ErrUndelivered) {
		t.Fatalf("Notify to a closed port = %v, want Undelivered", err)
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
	// A receiver whose secret is empty or short (an unset environment
	// variable) refuses everything, even a request signed with that
	// secret: a forger could sign with it too.
	for _, secret := range [][]byte{nil, {}, []byte("short"), []byte("fifteen bytes!!")} {
		forged := notify.Sign(secret, now, body)
		if err := notify.VerifySignature(secret, forged, body, 0, now); !errors.Is(err, notify.ErrWeakSecret) {
			t.Errorf("secret of %d bytes: %v, want ErrWeakSecret", len(secret), err)
		}
	}
}

func TestRouter(t *testing.T) {
	sms, email := &notify.Recorder{}, &notify.Recorder{}
	r := notify.NewRouter(map[delivery.Channel]delivery.Notifier{delivery.SMS: sms, delivery.Email: email})
	ctx := context.Background()
	r.Notify(ctx, delivery.Message{Channel: delivery.SMS, To: "+1"})
	r.Notify(ctx, delivery.Message{Channel: delivery.Email, To: "a@b"})
	if sms.Len() != 1 || email.Len() != 1 {
		t.Fatalf("sms %d, email %d", sms.Len(), email.Len())
	}
	only := notify.NewRouter(map[delivery.Channel]delivery.Notifier{delivery.Email: email, delivery.SMS: nil})
	if only.Supports(delivery.SMS) || !only.Supports(delivery.Email) {
		t.Fatal("Supports")
	}
	if err := only.Notify(ctx, delivery.Message{Channel: delivery.SMS}); !errors.Is(err, delivery.ErrNotAllowed) {
		t.Fatalf("unrouted channel: %v", err)
	}
}
