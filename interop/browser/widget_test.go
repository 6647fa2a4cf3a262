package browser

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/widget"
)

// root is the widget's shadow root in the page.
const root = "document.querySelector('vcode-verify').shadowRoot"

// in selects an element of the widget's shadow tree.
func in(query string) chromedp.JSPath {
	return chromedp.JSPath(root + ".querySelector(" + strconv.Quote(query) + ")")
}

// do runs the actions, failing the test on an error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval returns a JavaScript expression's value, as a string.
func eval(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// waitFor polls a JavaScript predicate until it holds, for at most 15 s;
// on a timeout it fails with what the widget shows.
func waitFor(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err := chromedp.Run(wctx, chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		t.Fatalf("waiting for %s: %v; the widget shows %s", what, err, eval(t, ctx, state))
	}
}

// state is what the widget shows, for failure messages.
const state = `(() => { const r = document.querySelector('vcode-verify')?.shadowRoot; return r ? JSON.stringify({
  status: r.querySelector('.status').textContent,
  contactError: r.querySelector('#contact-error').textContent,
  codeError: r.querySelector('#code-error').textContent,
  send: r.querySelector('.send').textContent + (r.querySelector('.send').disabled ? ' (disabled)' : ''),
  verify: r.querySelector('.verify').textContent + (r.querySelector('.verify').disabled ? ' (disabled)' : ''),
  codeShown: !r.querySelector('.code-form').hidden,
  focus: r.activeElement && r.activeElement.id,
  events: window.__vcodeTest.events,
  errors: window.__vcodeTest.errors,
  violations: window.__vcodeTest.violations,
  html: r.innerHTML.slice(0, 300),
}) : 'no widget'; })()`

// open loads the page and waits for the widget to show.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url))
	waitFor(t, ctx, "the widget", `(() => { const r = document.querySelector('vcode-verify')?.shadowRoot; return !!r && r.querySelector('.box').hidden === false; })()`)
}

// text is the text of an element of the widget.
func text(t *testing.T, ctx context.Context, query string) string {
	t.Helper()
	return eval(t, ctx, root+".querySelector("+strconv.Quote(query)+").textContent")
}

// expect compares what the widget shows with what it should.
func expect(t *testing.T, ctx context.Context, checks map[string]string) {
	t.Helper()
	for expr, want := range checks {
		if got := eval(t, ctx, expr); got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
}

// countdown waits for the button to be disabled and show a number of
// seconds, and checks that it is exactly want (the page's clock is
// frozen: see freeze).
func countdown(t *testing.T, ctx context.Context, button, label string, want int) {
	t.Helper()
	before, after, _ := strings.Cut(label, "{s}")
	re := regexp.MustCompile("^" + regexp.QuoteMeta(before) + `(\d+)` + regexp.QuoteMeta(after) + "$")
	waitFor(t, ctx, button+" counting down", `(() => { const b = `+root+`.querySelector('`+button+`'); return b.disabled && /\d/.test(b.textContent); })()`)
	txt := text(t, ctx, button)
	m := re.FindStringSubmatch(txt)
	if m == nil {
		t.Fatalf("%s shows %q, want %q with a number", button, txt, label)
	}
	if n, _ := strconv.Atoi(m[1]); n != want {
		t.Fatalf("%s shows %q: %d s, want %d", button, txt, n, want)
	}
}

// verifiedDetail waits for the one verified event and returns its detail.
func verifiedDetail(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	waitFor(t, ctx, "the verified event", `window.__vcodeTest.events.length === 1`)
	var d map[string]string
	if err := json.Unmarshal([]byte(eval(t, ctx, `JSON.stringify(window.__vcodeTest.events[0])`)), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWidget(t *testing.T) {
	browser := newBrowser(t)

	// The policy and the hooks work: an inline script is refused and the
	// refusal recorded, so that "no violation" below means something.
	t.Run("csp-enforced", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		do(t, ctx, chromedp.Navigate(s.URL+"/control"))
		waitFor(t, ctx, "the inline script's violation", `window.__vcodeTest.violations.length > 0`)
		if title := eval(t, ctx, `document.title`); title != "control" {
			t.Fatalf("the inline script ran (title %q) despite %s", title, csp)
		}
	})

	// The whole flow in English: choose a country, type a national
	// number, send, type the code from the outbox, verify.
	t.Run("phone-en-US", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		open(t, ctx, s.URL+"/page?lang=en-US")
		expect(t, ctx, map[string]string{
			root + ".querySelector('#contact').labels[0].textContent":          "Phone number",
			root + ".querySelector('#country').labels[0].textContent":          "Country or region",
			root + ".querySelector('#code').labels[0].textContent":             "Verification code",
			root + ".querySelector('.send').textContent":                       "Send code",
			root + ".querySelector('#country').value":                          "chinaPR",
			root + ".querySelector('#country').selectedOptions[0].textContent": "China (+86)",
			root + ".querySelector('#country').options.length + ''":            "169",
			root + ".querySelector('#code').autocomplete":                      "one-time-code",
			root + ".querySelector('#code').inputMode":                         "numeric",
			root + ".querySelector('#code').maxLength + ''":                    "10",
			root + ".querySelector('.status').getAttribute('aria-live')":       "polite",
		})
		shot(t, ctx, "1-form")
		freeze(t, ctx)
		do(t, ctx,
			chromedp.SetValue(in("#country"), "chinaHKG"),
			chromedp.SendKeys(in("#contact"), "5123 4567"),
			chromedp.Click(in(".send")),
		)
		waitFor(t, ctx, "the code field", `!`+root+`.querySelector('.code-form').hidden`)
		expect(t, ctx, map[string]string{
			root + ".querySelector('.status').textContent": "Code sent to 5123 4567. Enter it below.",
			root + ".activeElement.id":                     "code",
		})
		countdown(t, ctx, ".send", "New code in {s} s", 60)
		shot(t, ctx, "2-sent")
		do(t, ctx, chromedp.SendKeys(in("#code"), s.code(t, "+85251234567")), chromedp.Click(in(".verify")))
		d := verifiedDetail(t, ctx)
		if d["contact"] != "5123 4567" || d["country"] != "chinaHKG" || d["channel"] != "phone" {
			t.Fatalf("verified detail %v", d)
		}
		expect(t, ctx, map[string]string{root + ".querySelector('.status').textContent": "Verified."})
		shot(t, ctx, "3-verified")
		clean(t, ctx)
	})

	// A wrong code in Chinese: the server's zh-CN message, in the alert
	// next to the code field, which is marked invalid and focused.
	t.Run("wrong-code-zh-CN", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		open(t, ctx, s.URL+"/page?lang=zh-CN")
		expect(t, ctx, map[string]string{
			root + ".querySelector('#contact').labels[0].textContent":          "手机号码",
			root + ".querySelector('.send').textContent":                       "获取验证码",
			root + ".querySelector('#country').selectedOptions[0].textContent": "中国 (+86)",
		})
		do(t, ctx, chromedp.SendKeys(in("#contact"), "13612345678"), chromedp.Click(in(".send")))
		waitFor(t, ctx, "the code field", `!`+root+`.querySelector('.code-form').hidden`)
		expect(t, ctx, map[string]string{root + ".querySelector('.status').textContent": "验证码已发送至 13612345678，请在下方输入。"})
		wrong := "000000"
		if s.code(t, "+8613612345678") == wrong {
			wrong = "111111"
		}
		do(t, ctx, chromedp.SendKeys(in("#code"), wrong), chromedp.Click(in(".verify")))
		msg := i18n.Default().Error(i18n.ZhCN, i18n.WrongCode)
		waitFor(t, ctx, "the wrong code's message", root+".querySelector('#code-error').textContent === "+strconv.Quote(msg))
		expect(t, ctx, map[string]string{
			root + ".querySelector('#code-error').getAttribute('role')":       "alert",
			root + ".querySelector('#code').getAttribute('aria-invalid')":     "true",
			root + ".querySelector('#code').getAttribute('aria-describedby')": "code-error",
			root + ".activeElement.id":                                        "code",
			"window.__vcodeTest.events.length + ''":                           "0",
		})
		shot(t, ctx, "wrong-code")
		clean(t, ctx)
	})

	// The resend countdown: from next_send_at after a send, then from a
	// 429's Retry-After on a new page, each ending when both clocks have
	// moved on. The 60 s cooldown shows exactly 60 first, as Retry-After
	// would say (newServer's clock is mid-second: its Date header is
	// truncated, next_send_at rounded up), and the page's clock is frozen
	// so that the first value stays until the test moves it.
	t.Run("countdown-429", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		open(t, ctx, s.URL+"/page?lang=en-US")
		freeze(t, ctx)
		do(t, ctx, chromedp.SendKeys(in("#contact"), "13612345678"), chromedp.Click(in(".send")))
		waitFor(t, ctx, "the code field", `!`+root+`.querySelector('.code-form').hidden`)
		countdown(t, ctx, ".send", "New code in {s} s", 60)
		s.advance(t, ctx, 30*time.Second)
		waitFor(t, ctx, "30 s less", `/^New code in 30 s$/.test(`+root+`.querySelector('.send').textContent)`)

		// A new page knows nothing of the first send: the server's 429 says.
		do(t, ctx, chromedp.Reload())
		open(t, ctx, s.URL+"/page?lang=en-US")
		freeze(t, ctx)
		do(t, ctx, chromedp.SendKeys(in("#contact"), "13612345678"), chromedp.Click(in(".send")))
		msg := i18n.Default().Error(i18n.EnUS, i18n.TooFrequent)
		waitFor(t, ctx, "the 429's message", root+".querySelector('#contact-error').textContent === "+strconv.Quote(msg))
		countdown(t, ctx, ".send", "New code in {s} s", 30)
		shot(t, ctx, "429-countdown")
		s.advance(t, ctx, 30*time.Second)
		waitFor(t, ctx, "the send button back", `(() => { const b = `+root+`.querySelector('.send'); return !b.disabled && b.textContent === 'Send code'; })()`)
		shot(t, ctx, "429-ended")
		first := s.code(t, "+8613612345678")
		do(t, ctx, chromedp.Click(in(".send")))
		waitFor(t, ctx, "the code field", `!`+root+`.querySelector('.code-form').hidden`)
		if s.outbox.Len() != 2 {
			t.Fatalf("%d messages sent, want 2 (the first code %s, then one after the countdown)", s.outbox.Len(), first)
		}
		clean(t, ctx)
	})

	// An email address: no country, an email field, the code by email,
	// typed in full-width digits.
	t.Run("email", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		open(t, ctx, s.URL+"/page?lang=en-US&channel=email")
		expect(t, ctx, map[string]string{
			root + ".querySelector('.country-field').hidden + ''":     "true",
			root + ".querySelector('#contact').type":                  "email",
			root + ".querySelector('#contact').labels[0].textContent": "Email address",
		})
		do(t, ctx, chromedp.SendKeys(in("#contact"), "user@example.com"), chromedp.Click(in(".send")))
		waitFor(t, ctx, "the code field", `!`+root+`.querySelector('.code-form').hidden`)
		// Typed with full-width digits, as a Chinese IME may give them.
		wide := strings.Map(func(r rune) rune { return r - '0' + '０' }, s.code(t, "user@example.com"))
		do(t, ctx, chromedp.SendKeys(in("#code"), wide), chromedp.Click(in(".verify")))
		d := verifiedDetail(t, ctx)
		if d["contact"] != "user@example.com" || d["country"] != "" || d["channel"] != "email" {
			t.Fatalf("verified detail %v", d)
		}
		shot(t, ctx, "email-verified")
		clean(t, ctx)
	})

	// The keyboard alone: Tab to the number, type it, Enter; the focus
	// moves to the code; type it, Enter.
	t.Run("keyboard-only", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		open(t, ctx, s.URL+"/page?lang=en-US")
		focus := root + ".activeElement?.id ?? ''"
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		expect(t, ctx, map[string]string{focus: "country"})
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		expect(t, ctx, map[string]string{focus: "contact"})
		do(t, ctx, chromedp.KeyEvent("13612345678"), chromedp.KeyEvent(kb.Enter))
		waitFor(t, ctx, "the code field, focused", `!`+root+`.querySelector('.code-form').hidden && `+root+`.activeElement?.id === 'code'`)
		do(t, ctx, chromedp.KeyEvent(s.code(t, "+8613612345678")))
		shot(t, ctx, "keyboard-code")
		do(t, ctx, chromedp.KeyEvent(kb.Enter))
		if d := verifiedDetail(t, ctx); d["contact"] != "13612345678" || d["country"] != "chinaPR" {
			t.Fatalf("verified detail %v", d)
		}
		clean(t, ctx)
	})

	// Every error of the table shows the server's message in the page's
	// language; the contact's own mark the field; a 429 counts down. An
	// answer that is not the API's, or none at all, shows the widget's
	// own message.
	t.Run("every-error", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		for _, lang := range []string{"en-US", "zh-CN"} {
			tag := i18n.Default().Negotiate(lang)
			type want struct{ answer, code, msg, invalid string }
			var cases []want
			for i, spec := range errorSpecs() {
				invalid := "null"
				switch spec.Code {
				case httpmw.CodeInvalidContact, httpmw.CodeInvalidCountry, httpmw.CodeNotAllowed:
					invalid = "true"
				}
				cases = append(cases, want{strconv.Itoa(i), spec.Code, i18n.Default().Error(tag, spec.Message), invalid})
			}
			own := map[string]map[string]string{
				"en-US": {"html": "The server gave an unexpected answer. Try again later.", "hangup": "The server could not be reached. Check your connection and try again."},
				"zh-CN": {"html": "服务器返回了意外的应答，请稍后重试。", "hangup": "无法连接服务器，请检查网络后重试。"},
			}
			cases = append(cases, want{"html", "", own[lang]["html"], "null"}, want{"html200", "", own[lang]["html"], "null"},
				want{"hangup", "", own[lang]["hangup"], "null"})
			for _, c := range cases {
				open(t, ctx, s.URL+"/page?lang="+lang+"&send="+url.QueryEscape("/api/fake?answer="+c.answer))
				freeze(t, ctx)
				do(t, ctx, chromedp.SendKeys(in("#contact"), "13612345678"), chromedp.Click(in(".send")))
				waitFor(t, ctx, lang+" "+c.answer+" "+c.code+"'s message", root+".querySelector('#contact-error').textContent === "+strconv.Quote(c.msg))
				expect(t, ctx, map[string]string{
					root + ".querySelector('#contact').getAttribute('aria-invalid')": c.invalid,
					root + ".activeElement.id":                                       "contact",
				})
				if status, ok := map[string]string{"html": "502 text/html", "html200": "200 text/html; charset=utf-8"}[c.answer]; ok {
					// Not the API's answer: the console says where it came from.
					want := "error: <vcode-verify>: POST " + s.URL + "/api/fake?answer=" + c.answer + " answered " + status + ", not the API's JSON"
					got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__vcodeTest.console`))
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Contains(got, want) {
						t.Errorf("%s %s: console %q, want %q in it", lang, c.answer, got, want)
					}
				}
				if c.code == httpmw.CodeTooFrequent || c.code == httpmw.CodeTooManyAttempts {
					countdown(t, ctx, ".send", map[string]string{"en-US": "New code in {s} s", "zh-CN": "{s} 秒后可重新获取"}[lang], 5)
				}
			}
		}
		clean(t, ctx)
	})

	// A page of another origin forges requests with the session cookie.
	t.Run("cross-site-forgery", func(t *testing.T) { forgery(t, browser) })

	// A wrong attribute or assets directory. An optional attribute with a
	// wrong value falls back to its default with a console.warn; a missing
	// URL, an unknown channel or a file that does not load shows only the
	// localised configuration error, says what is wrong in console.error,
	// and sends nothing.
	t.Run("misconfigured", func(t *testing.T) {
		s := newServer(t)
		ctx := newTab(t, browser)
		const (
			configEN = "This form is not set up correctly and cannot be used."
			configZH = "此表单配置有误，无法使用。"
		)
		cases := []struct {
			name, query string
			config      string // the configuration error shown, "" for the form
			console     []string
			checks      map[string]string
		}{
			{name: "unknown-country", query: "country=China", console: []string{`warn: <vcode-verify>: country="China" is not valid; using chinaPR`},
				checks: map[string]string{root + ".querySelector('#country').value": "chinaPR"}},
			{name: "unknown-country-zh-CN", query: "lang=zh-CN&country=China", console: []string{`warn: <vcode-verify>: country="China" is not valid; using chinaPR`},
				checks: map[string]string{root + ".querySelector('#country').selectedOptions[0].textContent": "中国 (+86)"}},
			{name: "known-country", query: "country=chinaHKG",
				checks: map[string]string{root + ".querySelector('#country').value": "chinaHKG"}},
			{name: "code-length-short", query: "code-length=3", console: []string{`warn: <vcode-verify>: code-length="3" is not valid; using up to 10 digits`},
				checks: map[string]string{root + ".querySelector('#code').maxLength + ''": "10"}},
			{name: "code-length-8", query: "code-length=8",
				checks: map[string]string{root + ".querySelector('#code').maxLength + ''": "8"}},
			{name: "no-labels-json", query: "assets=/partial/", console: []string{"warn: <vcode-verify>: cannot load " + s.URL + "/partial/labels.json; built-in labels only"},
				checks: map[string]string{root + ".querySelector('.send').textContent": "Send code"}},
			{name: "no-verify-url", query: "verify=none", config: configEN, console: []string{"error: <vcode-verify>: missing attribute verify-url (see docs/widget.md)"}},
			{name: "no-urls-zh-CN", query: "lang=zh-CN&send=none&verify=", config: configZH, console: []string{"error: <vcode-verify>: missing attribute send-url; missing attribute verify-url (see docs/widget.md)"}},
			{name: "unknown-channel", query: "channel=sms", config: configEN, console: []string{`error: <vcode-verify>: channel="sms" is not phone, email or both (see docs/widget.md)`}},
			{name: "wrong-assets", query: "assets=/nope/", config: configEN, console: []string{
				"warn: <vcode-verify>: cannot load " + s.URL + "/nope/labels.json; built-in labels only",
				"error: <vcode-verify>: cannot load " + s.URL + "/nope/vcode-verify.css; cannot load " + s.URL + "/nope/countries.json (see docs/widget.md)",
			}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				open(t, ctx, s.URL+"/page?"+c.query)
				if c.config != "" {
					expect(t, ctx, map[string]string{
						root + ".querySelector('.config').textContent":                                              c.config,
						root + ".querySelector('.config').hidden + ''":                                              "false",
						root + ".querySelector('.config').getAttribute('role')":                                     "alert",
						root + ".querySelectorAll('form:not([hidden])').length + ''":                                "0",
						"[..." + root + ".querySelectorAll('input, select, button')].every((e) => e.disabled) + ''": "true",
					})
					shot(t, ctx, "config-"+c.name)
					// Even asked to, it sends nothing: not even to "null". The
					// page fetched its style sheet and the widget's files only.
					do(t, ctx, chromedp.Evaluate[chromedp.Void](root+".querySelector('#contact').value = '13612345678'; document.querySelector('vcode-verify').send()"))
					expect(t, ctx, map[string]string{
						"JSON.stringify(performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => !/^\\/(vcode|nope)\\/|^\\/page\\.css$/.test(p)))": "[]",
					})
				} else {
					expect(t, ctx, map[string]string{
						root + ".querySelector('.config').hidden + ''":       "true",
						root + ".querySelector('.contact-form').hidden + ''": "false",
						root + ".querySelector('.send').disabled + ''":       "false",
					})
				}
				expect(t, ctx, c.checks)
				got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__vcodeTest.console`))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, c.console) && !(len(got) == 0 && len(c.console) == 0) {
					t.Errorf("console %q, want %q", got, c.console)
				}
				clean(t, ctx)
			})
		}
	})

	// A host's language through labels.json: its texts where given, en-US
	// elsewhere.
	t.Run("host-labels", func(t *testing.T) {
		s := newServer(t, widget.WithLabels("ja", map[string]string{"send": "コードを送信", "phone": "電話番号"}))
		ctx := newTab(t, browser)
		open(t, ctx, s.URL+"/page?lang=ja")
		expect(t, ctx, map[string]string{
			root + ".querySelector('.send').textContent":              "コードを送信",
			root + ".querySelector('#contact').labels[0].textContent": "電話番号",
			root + ".querySelector('#code').labels[0].textContent":    "Verification code",
		})
		clean(t, ctx)
	})
}
