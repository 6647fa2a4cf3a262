package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestUI: -ui (or VCODE_UI) serves the demo page under a strict CSP with
// a demo session cookie, the widget's files, and endpoints that take the
// cookie instead of a token and answer the send times; without it, none
// of it exists.
func TestUI(t *testing.T) {
	for _, via := range []string{"flag", "env"} {
		t.Run(via, func(t *testing.T) {
			var args []string
			env := map[string]string{}
			if via == "flag" {
				args = []string{"-ui"}
			} else {
				env["VCODE_UI"] = "true"
			}
			s := start(t, args, env)
			resp, page := uiGet(t, s.url+"/ui/", nil)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != uiCSP || !strings.Contains(page, "<vcode-verify") ||
				strings.Contains(page, "<script>") || strings.Contains(page, "style=") {
				t.Fatalf("GET /ui/: %d %v\n%s", resp.StatusCode, resp.Header, page)
			}
			var session *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == uiCookie {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || len(session.Value) != 32 {
				t.Fatalf("session cookie %+v, want HttpOnly, SameSite=Lax, 32 hex digits", session)
			}
			for path, ctype := range map[string]string{
				"/ui/demo.js": "text/javascript; charset=utf-8", "/ui/demo.css": "text/css; charset=utf-8",
				"/ui/widget/vcode-verify.js": "text/javascript; charset=utf-8", "/ui/widget/countries.json": "application/json",
			} {
				if resp, _ := uiGet(t, s.url+path, nil); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ctype {
					t.Errorf("GET %s: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}
			// The page's session sends and verifies, with no token.
			resp, body := postCookie(t, s.url+"/ui/api/send", session, `{"contact":"13612345678","country":"chinaPR"}`)
			if resp.StatusCode != 200 || !strings.Contains(body, `"next_send_at"`) {
				t.Fatalf("send with the session: %d %s", resp.StatusCode, body)
			}
			code := lastCode(t, s.stdout.String(), "+8613612345678")
			if resp, body := postCookie(t, s.url+"/ui/api/verify", nil, `{"contact":"13612345678","verificationCode":"`+code+`"}`); resp.StatusCode != 401 {
				t.Fatalf("verify without the session: %d %s", resp.StatusCode, body)
			}
			if resp, body := postCookie(t, s.url+"/ui/api/verify", session, `{"contact":"13612345678","verificationCode":"`+code+`"}`); resp.StatusCode != 200 {
				t.Fatalf("verify with the session: %d %s", resp.StatusCode, body)
			}
			if !strings.Contains(s.stderr.String(), "/ui/") || !strings.Contains(s.stderr.String(), "for development only") {
				t.Errorf("no demo URL or warning at start:\n%s", s.stderr)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		s := start(t, nil, nil)
		for _, path := range []string{"/ui/", "/ui/widget/vcode-verify.js"} {
			if resp, _ := uiGet(t, s.url+path, nil); resp.StatusCode != 404 {
				t.Errorf("GET %s without -ui: %d, want 404", path, resp.StatusCode)
			}
		}
	})
	t.Run("bad env", func(t *testing.T) {
		if _, err := parse(nil, func(k string) string { return map[string]string{"VCODE_UI": "yes please"}[k] }, io.Discard); err == nil || !strings.Contains(err.Error(), "VCODE_UI") {
			t.Fatalf("parse = %v, want an error naming VCODE_UI", err)
		}
	})
}

func uiGet(t *testing.T, url string, cookie *http.Cookie) (*http.Response, string) {
	t.Helper()
	return uiDo(t, "GET", url, cookie, "")
}

func postCookie(t *testing.T, url string, cookie *http.Cookie, body string) (*http.Response, string) {
	t.Helper()
	return uiDo(t, "POST", url, cookie, body)
}

func uiDo(t *testing.T, method, url string, cookie *http.Cookie, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
