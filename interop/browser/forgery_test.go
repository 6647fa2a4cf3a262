package browser

import (
	"context"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vcodekit/vcode/httpmw"
)

// evilPage is a page of another origin that forges
// requests to the widget's endpoints: a cross-origin fetch in no-cors mode
// with a JSON body as text/plain, a JSON fetch (which needs a CORS
// preflight), and a form posting JSON-looking text/plain.
var evilPage = template.Must(template.New("evil").Parse(`<!doctype html>
<title>evil</title>
<form id="forged" method="POST" action="{{.}}/api/send" enctype="text/plain">
<input type="hidden" name='{"contact":"13612345678","country":"chinaPR","x":"' value='"}'>
</form>
<script>
window.forged = Promise.allSettled([
  fetch('{{.}}/api/send', { method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'Content-Type': 'text/plain' }, body: '{"contact":"13612345678","country":"chinaPR"}' }),
  fetch('{{.}}/api/send', { method: 'POST', mode: 'cors', credentials: 'include',
    headers: { 'Content-Type': 'application/json' }, body: '{"contact":"13612345678","country":"chinaPR"}' }),
]).then((r) => r.map((x) => x.status).join(','));
</script>
`))

// forgery: with the session cookie in the browser, requests forged by a
// page of another origin are refused by the cross-origin check (403
// USG.000000005) and no code is sent: from the same site (127.0.0.1 on
// another port), where the SameSite=Lax cookie goes along, and from
// another site (127.0.0.2), where it does not. The widget's own page,
// meanwhile, sends.
func forgery(t *testing.T, browser context.Context) {
	s := newServer(t)
	ctx := newTab(t, browser)
	open(t, ctx, s.URL+"/page?lang=en-US") // the session cookie
	for _, tc := range []struct {
		name, host string
		session    bool
	}{
		{"same-site", "127.0.0.1", true},
		{"cross-site", "127.0.0.2", false},
	} {
		ln, err := net.Listen("tcp", tc.host+":0")
		if err != nil {
			t.Fatal(err)
		}
		evil := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			evilPage.Execute(w, template.JS(s.URL))
		}))
		evil.Listener.Close()
		evil.Listener = ln
		evil.Start()
		before := len(s.requests())
		do(t, ctx, chromedp.Navigate(evil.URL))
		settled, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.forged`, chromedp.EvalAwaitPromise))
		if err != nil || settled != "fulfilled,rejected" {
			t.Errorf("%s: the forged fetches settled %q (%v), want fulfilled (no-cors: opaque) and rejected (no CORS answer)", tc.name, settled, err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('forged').submit()`))
		if err != nil {
			t.Fatal(err)
		}
		if body := eval(t, ctx, `document.body.innerText`); resp.Status != http.StatusForbidden || !strings.Contains(body, httpmw.CodeForbidden) {
			t.Errorf("%s: the forged form got %d %q, want 403 and the cross-origin refusal %s", tc.name, resp.Status, body, httpmw.CodeForbidden)
		}
		shot(t, ctx, "forged-form-"+tc.name)
		forged := s.requests()[before:]
		for _, r := range forged {
			if r.fetchSite != tc.name || r.session != tc.session || r.status != http.StatusForbidden {
				t.Errorf("%s: forged request %+v, want Sec-Fetch-Site %s, the session cookie %v, 403", tc.name, r, tc.name, tc.session)
			}
		}
		if len(forged) != 2 {
			t.Errorf("%s: %d forged requests reached the server, want 2 (the no-cors fetch and the form; the JSON fetch stops at its preflight): %+v", tc.name, len(forged), forged)
		}
		evil.Close()
	}
	if n := s.outbox.Len(); n != 0 {
		t.Fatalf("%d codes sent by forged requests", n)
	}

	// The page's own requests still pass.
	open(t, ctx, s.URL+"/page?lang=en-US")
	do(t, ctx, chromedp.SendKeys(in("#contact"), "13612345678"), chromedp.Click(in(".send")))
	waitFor(t, ctx, "the code field", `!`+root+`.querySelector('.code-form').hidden`)
	if n := s.outbox.Len(); n != 1 {
		t.Fatalf("%d codes sent by the widget, want 1", n)
	}
}
