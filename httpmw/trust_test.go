package httpmw_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// TestWithTrust: once a prefix has spent its pumping allowance, a send
// is refused (403 USG.201060008) unless WithTrust's function vouches for
// it; then it is sent. The function sees the request and its subject.
func TestWithTrust(t *testing.T) {
	clk := vcodetest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	rec := &notify.Recorder{}
	v, err := verifier.New(rec, verifier.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	auth, err := httpmw.NewStaticTokens(map[string]string{token: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	h, err := httpmw.New(v, auth, httpmw.WithTrust(func(r *http.Request, subject string) bool {
		subjects = append(subjects, subject)
		return r.Header.Get("X-Challenge") == "solved"
	}))
	if err != nil {
		t.Fatal(err)
	}
	// Spend +86136's allowance: never-verified sends from many subjects.
	for i := 0; ; i++ {
		_, err := v.Send(context.Background(), verifier.Request{Contact: fmt.Sprintf("+86136%08d", 50000000+i), Subject: fmt.Sprint("pump-", i)})
		if err != nil {
			if i < 10 || i > 100 {
				t.Fatalf("send %d to spend the prefix: %v", i, err)
			}
			break
		}
		clk.Advance(time.Second)
	}
	post := func(challenge string) (int, string) {
		r := httptest.NewRequest(http.MethodPost, httpmw.SendPath, strings.NewReader(sendBody))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Access-Token", token)
		if challenge != "" {
			r.Header.Set("X-Challenge", challenge)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	if code, body := post(""); code != http.StatusForbidden || !strings.Contains(body, "USG.201060008") {
		t.Fatalf("a spent prefix, not vouched for: %d %s, want 403 USG.201060008", code, body)
	}
	if code, body := post("solved"); code != http.StatusOK {
		t.Fatalf("a spent prefix, vouched for: %d %s, want 200", code, body)
	}
	if _, ok := rec.LastCode(phone); !ok {
		t.Fatal("the vouched-for send delivered no code")
	}
	if len(subjects) != 2 || subjects[0] != "alice" {
		t.Fatalf("the trust function saw subjects %v, want alice twice", subjects)
	}
	if _, err := httpmw.New(v, auth, httpmw.WithTrust(nil)); err == nil {
		t.Fatal("WithTrust(nil) accepted")
	}
}
