package twilio_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

// credentials are the two ways to authenticate, with the user name and
// password each sends.
var credentials = []struct {
	name           string
	account        twilio.Account
	user, password string
}{
	{"auth token", twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From},
		twiliotest.AccountSID, twiliotest.AuthToken},
	{"API key", twilio.Account{SID: twiliotest.AccountSID, APIKey: twiliotest.APIKey, APISecret: twiliotest.APISecret, From: twiliotest.From},
		twiliotest.APIKey, twiliotest.APISecret},
}

// credentialForms are the forms of a credential that must never be
// printed: the password, and the Authorization header's value.
func credentialForms(user, password string) []string {
	b := []byte(user + ":" + password)
	return []string{
		password, strings.ToLower(password), strings.ToUpper(password),
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.RawURLEncoding.EncodeToString(b),
	}
}

func noCredential(t *testing.T, what, s, user, password string) {
	t.Helper()
	for _, f := range credentialForms(user, password) {
		if strings.Contains(s, f) {
			t.Errorf("%s quotes %q:\n%s", what, f, s)
		}
	}
}

// TestPrintingHidesSecrets: however an Account or a Notifier is printed,
// with fmt or log/slog, its secret does not show; an Account's shows as
// "redacted".
func TestPrintingHidesSecrets(t *testing.T) {
	for _, c := range credentials {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.account
			n := mustNew(t, cfg)
			for _, verb := range []string{"%v", "%+v", "%s", "%#v"} {
				for what, v := range map[string]any{"Account": cfg, "*Account": &cfg} {
					s := fmt.Sprintf(verb, v)
					noCredential(t, verb+" of "+what, s, c.user, c.password)
					if !strings.Contains(s, "redacted") || !strings.Contains(s, twiliotest.AccountSID) {
						t.Errorf("%s of %s = %s: want the account and \"redacted\"", verb, what, s)
					}
				}
				s := fmt.Sprintf(verb, n)
				noCredential(t, verb+" of *Notifier", s, c.user, c.password)
				if !strings.Contains(s, twiliotest.AccountSID) {
					t.Errorf("%s of *Notifier = %s: want the account", verb, s)
				}
				// Even a copy of the Notifier's struct, which has no
				// methods of its own.
				noCredential(t, verb+" of Notifier", fmt.Sprintf(verb, *n), c.user, c.password)
			}

			var text, js bytes.Buffer
			for _, h := range []slog.Handler{slog.NewTextHandler(&text, nil), slog.NewJSONHandler(&js, nil)} {
				slog.New(h).Info("start", "twilio", cfg, "pointer", &cfg, "notifier", n)
			}
			noCredential(t, "slog text", text.String(), c.user, c.password)
			noCredential(t, "slog JSON", js.String(), c.user, c.password)
			var rec struct{ Twilio, Pointer map[string]any }
			if err := json.Unmarshal(js.Bytes(), &rec); err != nil {
				t.Fatal(err)
			}
			for _, g := range []map[string]any{rec.Twilio, rec.Pointer} {
				if g["SID"] != twiliotest.AccountSID || g["AuthToken"] != redactedIf(cfg.AuthToken) || g["APISecret"] != redactedIf(cfg.APISecret) {
					t.Errorf("slog JSON group %v", g)
				}
			}
			if !strings.Contains(text.String(), "twilio.SID="+twiliotest.AccountSID) || !strings.Contains(text.String(), "redacted") {
				t.Errorf("slog text %s", text.String())
			}
		})
	}
}

func redactedIf(s string) string {
	if s == "" {
		return ""
	}
	return "redacted"
}

// TestErrorsHideEchoedCredentials: a server (or a proxy in front of
// Twilio) echoing the credential, raw or as the Authorization header,
// in any text an error quotes: the error quotes none of it.
func TestErrorsHideEchoedCredentials(t *testing.T) {
	echo := func(r *http.Request, password string) string {
		h := r.Header.Get("Authorization")
		_, b64, _ := strings.Cut(h, " ")
		return fmt.Sprintf("header %q; value %s; password %s; escaped %s", h, b64, password, url.QueryEscape(b64))
	}
	answers := []struct {
		name        string
		status      int
		body        func(r *http.Request, password string) string
		undelivered bool
	}{
		{"400", 400, func(r *http.Request, p string) string {
			return jsonBody(map[string]any{"code": 21211, "message": echo(r, p), "more_info": "https://proxy.example.com/?auth=" + r.Header.Get("Authorization"), "status": 400})
		}, true},
		{"401", 401, func(r *http.Request, p string) string {
			return jsonBody(map[string]any{"code": 20003, "message": "Authenticate " + echo(r, p), "status": 401})
		}, true},
		{"500", 500, func(r *http.Request, p string) string {
			return jsonBody(map[string]any{"code": 20500, "message": echo(r, p), "status": 500})
		}, false},
		{"201 failed", 201, func(r *http.Request, p string) string {
			return jsonBody(map[string]any{"sid": "SM0123456789abcdef0123456789abcdef", "status": "failed", "error_code": 30001, "error_message": echo(r, p)})
		}, true},
	}
	for _, c := range credentials {
		for _, a := range answers {
			t.Run(c.name+"/"+a.name, func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(a.status)
					fmt.Fprint(w, a.body(r, c.password))
				}))
				t.Cleanup(srv.Close)
				err := mustNew(t, c.account, twilio.WithAPIURL(srv.URL)).Notify(context.Background(), sample)
				if err == nil || errors.Is(err, delivery.ErrUndelivered) != a.undelivered {
					t.Fatalf("Notify = %v, want undelivered %v", err, a.undelivered)
				}
				noCredential(t, "error", err.Error(), c.user, c.password)
				checkLeaks(t, err)
				if !strings.Contains(err.Error(), "Basic [redacted]") || !strings.Contains(err.Error(), "password [redacted]") {
					t.Errorf("error %q: want the echoes redacted", err)
				}
			})
		}

		// A reply that is not HTTP: Go's transport quotes its first line.
		t.Run(c.name+"/malformed reply", func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go func() {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, b64, _ := strings.Cut(req.Header.Get("Authorization"), " ")
				fmt.Fprintf(conn, "auth:%s;password:%s\r\n\r\n", b64, c.password)
			}()
			err = mustNew(t, c.account, twilio.WithAPIURL("http://"+ln.Addr().String())).Notify(context.Background(), sample)
			if err == nil || errors.Is(err, delivery.ErrUndelivered) {
				t.Fatalf("Notify = %v, want an ambiguous error", err)
			}
			if !strings.Contains(err.Error(), "malformed HTTP response") || !strings.Contains(err.Error(), "auth:[redacted];password:[redacted]") {
				t.Errorf("error %q: want the reply quoted, redacted", err)
			}
			noCredential(t, "error", err.Error(), c.user, c.password)
		})
	}
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestErrorsHideNumbers: numbers a provider quotes in other forms than
// E.164 are redacted; Twilio's codes and SIDs stay.
func TestErrorsHideNumbers(t *testing.T) {
	const message = "The 'To' number 136 1234 5678 (+86-136-1234-5678, 13612345678, 136.1234.5678) is not valid; nor is (415) 555-2671. Error 21211."
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, jsonBody(map[string]any{"code": 21211, "message": message, "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}))
	}))
	t.Cleanup(srv.Close)
	err := mustNew(t, credentials[0].account, twilio.WithAPIURL(srv.URL)).Notify(context.Background(), sample)
	want := "notify: twilio: HTTP 400, error 21211: The 'To' number [redacted] ([redacted], [redacted], [redacted]) is not valid; nor is ([redacted]. Error 21211. (https://www.twilio.com/docs/errors/21211)"
	if err == nil || err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", err, want)
	}
	for _, digits := range []string{"1234", "5678", "2671"} {
		if strings.Contains(err.Error(), digits) {
			t.Errorf("error quotes %s", digits)
		}
	}
}

// TestTimeoutStillReported: the scrubbed error of a request that timed
// out still says so to errors.As and net.Error.
func TestTimeoutStillReported(t *testing.T) {
	srv := twiliotest.NewServer(t)
	srv.SetAnswer(twiliotest.Hang)
	err := mustNew(t, twilio.Account(srv.Account()), twilio.WithAPIURL(srv.URL()), twilio.WithTimeout(50*time.Millisecond)).Notify(context.Background(), sample)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Notify = %v: want a *url.Error that timed out", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Notify = %v: want a net.Error that timed out", err)
	}
}
