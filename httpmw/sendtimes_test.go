package httpmw_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// TestSendTimes: with WithSendTimes a successful send answers the code's
// expiry and the cooldown's end, RFC 3339 in UTC, in whole seconds with
// expires_at rounded down and next_send_at up, whatever the clock's zone;
// verify and errors are unchanged, and without the option the send's body
// is empty, as in the published API.
func TestSendTimes(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, tt := range []struct {
		name          string
		start         time.Time
		opts          []verifier.Option
		expires, next string
	}{
		{"whole seconds", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), nil, "2026-11-25T10:01:00Z", "2026-11-25T10:01:00Z"},
		{"a fraction, in another zone", time.Date(2026, 11, 25, 18, 0, 0, 500e6, shanghai),
			[]verifier.Option{verifier.WithValidity(5 * time.Minute)}, "2026-11-25T10:05:00Z", "2026-11-25T10:01:01Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := vcodetest.NewClock(tt.start)
			e := newEnv(t, append([]verifier.Option{verifier.WithClock(clk.Now)}, tt.opts...), httpmw.WithSendTimes())
			w := e.do(call{path: httpmw.SendPath, body: sendBody})
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json;charset=UTF-8" {
				t.Fatalf("send: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			var got map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %s: %v", w.Body, err)
			}
			if len(got) != 2 || got["expires_at"] != tt.expires || got["next_send_at"] != tt.next {
				t.Errorf("body %s, want expires_at %s and next_send_at %s", w.Body, tt.expires, tt.next)
			}
			code, _ := e.rec.LastCode(phone)
			if w := e.do(call{path: httpmw.VerifyPath, body: verifyBody(code)}); w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Errorf("verify: %d %q, want 200 and an empty body", w.Code, w.Body)
			}
			if w := e.do(call{path: httpmw.SendPath, body: sendBody}); w.Code != http.StatusTooManyRequests || decodeError(t, w).Code != httpmw.CodeTooFrequent {
				t.Errorf("send in the cooldown: %d %s", w.Code, w.Body)
			}
		})
	}
	e := newEnv(t, nil)
	if w := e.do(call{path: httpmw.SendPath, body: sendBody}); w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("send without the option: %d %q %q, want 200, no body, no Content-Type", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
}
