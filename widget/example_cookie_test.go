package widget_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"log"
	"net/http"
	"sync"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/verifier"
	"github.com/vcodekit/vcode/widget"
	"golang.org/x/text/language"
)

// gateway is the host's delivery.Notifier:
//
//	Notify(ctx context.Context, m delivery.Message) error
//
// A real one hands m.Text to an SMS gateway (m.To is E.164, m.Region its
// region) or, when m.Channel is delivery.Email, m.Subject and m.Text to a
// mail server; it must not log m.Code. This one keeps the last code per
// destination, for development.
type gateway struct {
	mu   sync.Mutex
	sent map[string]string // m.To -> m.Code
}

func (g *gateway) Notify(ctx context.Context, m delivery.Message) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sent[m.To] = m.Code
	return nil
}

// session is one signed-in user, with what the server knows it verified.
type session struct {
	user     string
	verified string // the E.164 number, once WithVerified has recorded it
}

// sessions are the host's cookie sessions (the cookie "sid").
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
}

func (s *sessions) get(r *http.Request) (*session, bool) {
	c, err := r.Cookie("sid")
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.byID[c.Value]
	return se, ok
}

// page is the page with the widget: the script, the element, and the
// page's own script. No inline script or style.
const page = `<!doctype html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Verify your phone</title>
<script defer src="/vcode/vcode-verify.js"></script>
<script defer src="/app.js"></script>
</head>
<body>
<vcode-verify send-url="/auth/code" verify-url="/auth/verify"></vcode-verify>
</body>
</html>
`

// appJS goes on after the verified event by asking the server, which
// knows: the event's detail is not proof (any script on the page could
// dispatch one).
const appJS = `document.addEventListener('verified', async () => {
  const res = await fetch('/done', { method: 'POST', credentials: 'same-origin' });
  if (res.ok) location.assign('/welcome');
});
`

// newShop is the whole host: sign-in, the page, the widget's files, the
// two endpoints bound to the session, and the pages after verification.
func newShop(n delivery.Notifier) (http.Handler, error) {
	// The built-in 401 and 403 texts speak of an access token; reword them
	// for users who sign in with a cookie, in each built-in language.
	cat := i18n.Default()
	for _, rw := range []struct {
		tag                     language.Tag
		unauthorized, forbidden string
	}{
		{i18n.EnUS, "Your session has ended. Please sign in again.", "You may not do this."},
		{i18n.ZhCN, "登录已过期，请重新登录。", "您无权执行此操作。"},
	} {
		texts, _ := i18n.Builtin(rw.tag) // a copy of the built-in texts to edit
		texts.Errors[i18n.Unauthorized] = rw.unauthorized
		texts.Errors[i18n.Forbidden] = rw.forbidden
		var err error
		if cat, err = cat.With(rw.tag, texts); err != nil {
			return nil, err
		}
	}
	v, err := verifier.New(n, verifier.WithBrand("Shop"), verifier.WithCatalog(cat))
	if err != nil {
		return nil, err
	}

	ss := &sessions{byID: map[string]*session{}}
	h, err := httpmw.New(v, nil,
		// The subject is the signed-in user: a code is bound to it.
		httpmw.WithSubject(func(r *http.Request) (string, error) {
			se, ok := ss.get(r)
			if !ok {
				return "", httpmw.ErrUnauthenticated // 401, the text above
			}
			return se.user, nil
		}),
		httpmw.WithSendTimes(), // next_send_at, for the widget's countdown
		// The moment to record "this user owns this number", server-side.
		httpmw.WithVerified(func(r *http.Request, user string, c contact.Contact) error {
			se, ok := ss.get(r)
			if !ok || se.user != user {
				return httpmw.ErrUnauthenticated
			}
			ss.mu.Lock()
			se.verified = c.Value
			ss.mu.Unlock()
			return nil
		}),
	)
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	// Your real sign-in goes here; this one signs in "alice".
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		rand.Read(b[:])
		sid := hex.EncodeToString(b[:])
		ss.mu.Lock()
		ss.byID[sid] = &session{user: "alice"}
		ss.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/verify", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /verify", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		fmt.Fprint(w, appJS)
	})
	mux.Handle("/vcode/", http.StripPrefix("/vcode", widget.Handler()))
	mux.Handle("POST /auth/code", h.SendHandler())
	mux.Handle("POST /auth/verify", h.VerifyHandler())
	// After the verified event the page asks here; the answer comes from
	// what WithVerified recorded, not from the browser.
	mux.HandleFunc("POST /done", func(w http.ResponseWriter, r *http.Request) {
		se, ok := ss.get(r)
		ss.mu.Lock()
		done := ok && se.verified != ""
		ss.mu.Unlock()
		if !done {
			http.Error(w, "not verified", http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /welcome", func(w http.ResponseWriter, r *http.Request) {
		se, ok := ss.get(r)
		if !ok {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		ss.mu.Lock()
		user, phone := se.user, se.verified
		ss.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>Welcome</title><p>Welcome %s, verified %s</p>\n", html.EscapeString(user), html.EscapeString(phone))
	})

	// A strict policy on every answer: the widget needs nothing more.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		mux.ServeHTTP(w, r)
	}), nil
}

// A complete cookie-session host: open http://127.0.0.1:8080/login, then
// verify a phone number; the code is in the gateway (a real Notifier sends
// it). TestCookieSessionExample drives this same host.
func Example_cookieSession() {
	shop, err := newShop(&gateway{sent: map[string]string{}})
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", shop))
}
