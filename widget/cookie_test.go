package widget_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCookieSessionExample drives Example_cookieSession's host as a
// browser would: sign in, load the page under its policy, send, verify,
// and ask the server; a request without the session gets the reworded 401.
func TestCookieSessionExample(t *testing.T) {
	g := &gateway{sent: map[string]string{}}
	shop, err := newShop(g)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(shop)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	call := func(method, path, body string, want int) string {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept-Language", "en-US")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
		}
		if got := res.Header.Get("Content-Security-Policy"); got != "default-src 'self'" {
			t.Fatalf("%s %s: Content-Security-Policy %q", method, path, got)
		}
		return string(b)
	}

	if b := call("POST", "/auth/code", `{"contact":"13612345678"}`, 401); !strings.Contains(b, "Your session has ended. Please sign in again.") {
		t.Fatalf("401 without a session: %s, want the reworded text", b)
	}
	if b := call("GET", "/login", "", 200); !strings.Contains(b, `<vcode-verify send-url="/auth/code" verify-url="/auth/verify">`) {
		t.Fatalf("the page after /login: %s", b)
	}
	call("GET", "/vcode/vcode-verify.js", "", 200)
	call("GET", "/app.js", "", 200)
	call("POST", "/done", "", 403) // not verified yet
	call("POST", "/auth/code", `{"contact":"13612345678"}`, 200)
	code := g.sent["+8613612345678"]
	if code == "" {
		t.Fatalf("no code reached the gateway: %v", g.sent)
	}
	call("POST", "/auth/verify", `{"contact":"13612345678","verificationCode":"`+code+`"}`, 200)
	call("POST", "/done", "", 204)
	if b := call("GET", "/welcome", "", 200); !strings.Contains(b, "Welcome alice, verified +8613612345678") {
		t.Fatalf("/welcome: %s", b)
	}
}
