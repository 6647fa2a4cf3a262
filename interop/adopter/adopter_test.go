// Package adopter is vcode as a new user adopts it, in a module of its own:
// mounted on paths of the host's choosing in net/http and in chi, with a
// brand, English texts, the Go API's Cancel, and no goroutine left behind
// once the Verifier is closed (checked by goleak).
package adopter

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"go.uber.org/goleak"
	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// app is the host: a Verifier with the host's brand and English as the
// default language, and an httpmw.Handler that knows users by a session
// cookie rather than an access token.
type app struct {
	v      *verifier.Verifier
	h      *httpmw.Handler
	outbox *notify.Recorder
}

func newApp(t *testing.T) *app {
	t.Helper()
	english, err := i18n.Default().WithDefault(i18n.EnUS)
	if err != nil {
		t.Fatal(err)
	}
	outbox := &notify.Recorder{}
	v, err := verifier.New(outbox, verifier.WithBrand("Acme"), verifier.WithCatalog(english))
	if err != nil {
		t.Fatal(err)
	}
	h, err := httpmw.New(v, nil, httpmw.WithSubject(func(r *http.Request) (string, error) {
		c, err := r.Cookie("session")
		if err != nil {
			return "", httpmw.ErrUnauthenticated
		}
		return "user-" + c.Value, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return &app{v: v, h: h, outbox: outbox}
}

// routers mounts the two endpoints on the host's own paths, once with
// net/http's ServeMux and once with chi.
var routers = map[string]func(a *app) http.Handler{
	"net/http": func(a *app) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("POST /auth/otp/send", a.h.SendHandler())
		mux.Handle("POST /auth/otp/verify", a.h.VerifyHandler())
		return mux
	},
	"chi": func(a *app) http.Handler {
		r := chi.NewRouter()
		r.Route("/auth/otp", func(r chi.Router) {
			r.Method(http.MethodPost, "/send", a.h.SendHandler())
			r.Method(http.MethodPost, "/verify", a.h.VerifyHandler())
		})
		return r
	},
}

func TestAdopt(t *testing.T) {
	defer goleak.VerifyNone(t)
	for name, route := range routers {
		t.Run(name, func(t *testing.T) {
			a := newApp(t)
			srv := httptest.NewServer(route(a))
			post := func(path, body string) (int, string) {
				req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.AddCookie(&http.Cookie{Name: "session", Value: "42"})
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var e struct {
					Code string `json:"error_code"`
					Msg  string `json:"error_msg"`
				}
				json.NewDecoder(resp.Body).Decode(&e)
				return resp.StatusCode, e.Code + " " + e.Msg
			}

			// Send over HTTP: a branded English SMS.
			if status, msg := post("/auth/otp/send", `{"contact":"+8613612345678"}`); status != 200 {
				t.Fatalf("send: %d %s", status, msg)
			}
			m, ok := a.outbox.Last("136 1234 5678")
			if !ok || !strings.HasPrefix(m.Text, "[Acme] Your verification code is "+m.Code) || m.Language != i18n.EnUS {
				t.Fatalf("message %q (%v)", m.Text, m.Language)
			}
			// A wrong code gets the English error.
			if status, msg := post("/auth/otp/verify", `{"contact":"+8613612345678","verificationCode":"000000"}`); status != 400 ||
				msg != "USG.201060005 The verification code is wrong or has expired." {
				t.Fatalf("wrong code: %d %s", status, msg)
			}
			// The user gives up: the host cancels the code, which then
			// no longer verifies.
			ctx := context.Background()
			req := verifier.Request{Contact: "+8613612345678", Subject: "user-42", Language: language.English}
			if err := a.v.Cancel(ctx, req); err != nil {
				t.Fatal(err)
			}
			if _, err := a.v.Verify(ctx, req, m.Code); !errors.Is(err, verifier.ErrWrongCode) {
				t.Fatalf("a cancelled code: %v", err)
			}
			srv.Close()
			if err := a.v.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAdoptWebhook: SMS through the signed webhook to the host's own
// gateway, which checks the signature; once the Webhook and the Verifier
// are closed, nothing of them is left running.
func TestAdoptWebhook(t *testing.T) {
	// The gateway's accept loop runs until the test's clean-up.
	defer goleak.VerifyNone(t, goleak.IgnoreAnyFunction("net/http/httptest.(*Server).goServe.func1"))
	secret := []byte("shared with the gateway, 16+ bytes")
	got := make(chan string, 1)
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature(secret, r.Header.Get(notify.SignatureHeader), body, 0, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var m struct{ To string }
		json.Unmarshal(body, &m)
		got <- m.To
	}))
	t.Cleanup(gateway.Close)
	hook, err := notify.NewWebhook(notify.WebhookConfig{URL: gateway.URL, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(notify.NewRouter(map[delivery.Channel]delivery.Notifier{delivery.SMS: hook}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Send(context.Background(), verifier.Request{Contact: "+8613612345678", Subject: "user-42"}); err != nil {
		t.Fatal(err)
	}
	if to := <-got; to != "+8613612345678" {
		t.Fatalf("gateway got %q", to)
	}
	// The gateway runs on (it is closed after the leak check): the
	// webhook's own connections must not.
	hook.Close()
	v.Close()
}
