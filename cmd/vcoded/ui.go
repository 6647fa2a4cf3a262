package main

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"net/http"
	"regexp"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/verifier"
	"github.com/vcodekit/vcode/widget"
)

// The -ui demo: a page with <vcode-verify> at /ui/, its own endpoints at
// /ui/api/send and /ui/api/verify, authenticated by a demo session cookie
// instead of an access token.

//go:embed ui/index.html ui/demo.js ui/demo.css
var uiFiles embed.FS

// uiCookie is the demo session's cookie.
const uiCookie = "vcode_demo"

// uiCSP is the demo page's policy: its own origin only, no inline script
// or style, no framing, no form posts elsewhere.
const uiCSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

var uiSession = regexp.MustCompile(`^[0-9a-f]{32}$`)

// uiSubject is the endpoints' WithSubject: the demo cookie is the
// subject. Anyone can open a session (the page hands them out), as anyone
// can sign up to a site; codes are still bound to the session that asked
// for them, and the per-IP quotas hold.
func uiSubject(r *http.Request) (string, error) {
	c, err := r.Cookie(uiCookie)
	if err != nil || !uiSession.MatchString(c.Value) {
		return "", httpmw.ErrUnauthenticated
	}
	return "ui-" + c.Value, nil
}

// addUI mounts the demo on mux, its endpoints on v with the options of the
// main handler (logs, metrics, proxies) plus the cookie session and the
// send times the widget counts down from.
func addUI(mux *http.ServeMux, v *verifier.Verifier, hopts []httpmw.Option) error {
	opts := append([]httpmw.Option{httpmw.WithSubject(uiSubject), httpmw.WithSendTimes(), httpmw.WithRoute("ui")}, hopts...)
	h, err := httpmw.New(v, nil, opts...)
	if err != nil {
		return err
	}
	mux.Handle("POST /ui/api/send", h.SendHandler())
	mux.Handle("POST /ui/api/verify", h.VerifyHandler())
	mux.Handle("/ui/widget/", http.StripPrefix("/ui/widget", widget.Handler()))
	mux.HandleFunc("GET /ui/{$}", uiPage)
	for _, f := range []struct{ name, ctype string }{{"demo.js", "text/javascript; charset=utf-8"}, {"demo.css", "text/css; charset=utf-8"}} {
		body, err := uiFiles.ReadFile("ui/" + f.name)
		if err != nil {
			return err
		}
		mux.HandleFunc("GET /ui/"+f.name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", f.ctype)
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Write(body)
		})
	}
	return nil
}

// uiPage serves the page, opening a demo session when the browser has
// none: a random id in an HttpOnly, SameSite=Lax cookie.
func uiPage(w http.ResponseWriter, r *http.Request) {
	if _, err := uiSubject(r); err != nil {
		var b [16]byte
		rand.Read(b[:])
		http.SetCookie(w, &http.Cookie{
			Name: uiCookie, Value: hex.EncodeToString(b[:]), Path: "/ui/",
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
		})
	}
	page, _ := uiFiles.ReadFile("ui/index.html")
	h := w.Header()
	h.Set("Content-Security-Policy", uiCSP)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(page)
}
