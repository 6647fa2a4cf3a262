package httpmw_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/verifier"
)

// hostile is one hand-written attack on the endpoints and the answer it
// must get.
type hostile struct {
	name   string
	path   string
	body   string
	header map[string]string
	status int
	code   string
}

func hostileRequests() []hostile {
	const (
		bad      = "USG.201060001"
		contact  = "USG.201060002"
		country  = "USG.201060003"
		codeFmt  = "USG.201060004"
		wrong    = "USG.201060005"
		unauthed = "USG.000000004"
	)
	s, v := httpmw.SendPath, httpmw.VerifyPath
	withCode := func(code string) string {
		return `{"contact":"+8613612345678","verificationCode":` + code + `}`
	}
	h := []hostile{
		// Size and shape of the body.
		{"4 KiB + 1", s, padded(4097), nil, 400, bad},
		{"1 MiB", s, `{"contact":"` + strings.Repeat("1", 1<<20) + `"}`, nil, 400, bad},
		{"deeply nested arrays, oversized", s, `{"contact":"+8613612345678","x":` + strings.Repeat("[", 3000) + strings.Repeat("]", 3000) + `}`, nil, 400, bad},
		{"deeply nested arrays, no contact", s, `{"x":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`, nil, 400, contact},
		{"deeply nested objects", s, strings.Repeat(`{"a":`, 600) + `1` + strings.Repeat(`}`, 600), nil, 400, contact},
		{"nested contact", s, `{"contact":{"contact":{"contact":"+8613612345678"}}}`, nil, 400, contact},
		{"NUL in body", s, "{\"contact\":\"+8613612345678\"\x00}", nil, 400, bad},
		{"escaped NUL in contact", s, `{"contact":"+86136\u000012345678"}`, nil, 400, contact},
		{"NUL in country", s, `{"contact":"+8613612345678","country":"china\u0000PR"}`, nil, 400, country},
		{"invalid UTF-8", s, "{\"contact\":\"\xc3\x28\"}", nil, 400, bad},
		{"overlong UTF-8", s, "{\"contact\":\"\xc0\xaf\"}", nil, 400, bad},
		{"UTF-16 BOM", s, "\xfe\xff{\"contact\":\"+8613612345678\"}", nil, 400, bad},
		{"UTF-8 BOM", s, "\xef\xbb\xbf{\"contact\":\"+8613612345678\"}", nil, 400, bad},
		{"lone surrogate escape", s, `{"contact":"\ud800"}`, nil, 400, contact},
		{"huge number contact", s, `{"contact":1e999999}`, nil, 400, contact},
		{"huge integer contact", s, `{"contact":` + strings.Repeat("9", 5000) + `}`, nil, 400, bad},
		{"negative number contact", s, `{"contact":-8613612345678}`, nil, 400, contact},
		{"float contact", s, `{"contact":8.613612345678e12}`, nil, 400, contact},
		{"boolean contact", s, `{"contact":true}`, nil, 400, contact},
		{"array contact", s, `{"contact":["+8613612345678"]}`, nil, 400, contact},
		{"empty array contact", s, `{"contact":[]}`, nil, 400, contact},
		{"object contact", s, `{"contact":{}}`, nil, 400, contact},
		{"null contact", s, `{"contact":null}`, nil, 400, contact},
		{"array country", s, `{"contact":"+8613612345678","country":["chinaPR"]}`, nil, 400, country},
		{"number country", s, `{"contact":"+8613612345678","country":86}`, nil, 400, country},
		{"bool country", s, `{"contact":"+8613612345678","country":false}`, nil, 400, country},
		{"top-level array", s, `[{"contact":"+8613612345678"}]`, nil, 400, bad},
		{"top-level string", s, `"+8613612345678"`, nil, 400, bad},
		{"top-level number", s, `8613612345678`, nil, 400, bad},
		{"top-level null", s, `null`, nil, 400, bad},
		{"trailing garbage", s, `{"contact":"+8613612345678"}garbage`, nil, 400, bad},
		{"trailing comma", s, `{"contact":"+8613612345678",}`, nil, 400, bad},
		{"single quotes", s, `{'contact':'+8613612345678'}`, nil, 400, bad},
		{"unquoted key", s, `{contact:"+8613612345678"}`, nil, 400, bad},
		{"comment", s, `{/* hi */"contact":"+8613612345678"}`, nil, 400, bad},
		{"NaN", s, `{"contact":NaN}`, nil, 400, bad},
		{"unterminated string", s, `{"contact":"+8613612345678}`, nil, 400, bad},
		{"bad escape", s, `{"contact":"\x41"}`, nil, 400, bad},
		{"duplicate keys, last invalid", s, `{"contact":"+8613612345678","contact":"nope"}`, nil, 400, contact},
		{"duplicate keys, case-folded", s, `{"contact":"+8613612345678","CONTACT":"nope"}`, nil, 400, contact},
		{"empty object", s, `{}`, nil, 400, contact},
		{"whitespace only", s, " \t\r\n ", nil, 400, bad},
		{"empty body", s, "", nil, 400, bad},
		// Content types.
		{"no content type", s, `{"contact":"+8613612345678"}`, map[string]string{"Content-Type": ""}, 400, bad},
		{"form", s, `contact=%2B8613612345678`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 400, bad},
		{"multipart", s, `--x`, map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, 400, bad},
		{"text/json", s, `{"contact":"+8613612345678"}`, map[string]string{"Content-Type": "text/json"}, 400, bad},
		{"json with gbk charset", s, `{"contact":"+8613612345678"}`, map[string]string{"Content-Type": "application/json; charset=gbk"}, 400, bad},
		{"json with junk parameter", s, `{"contact":"+8613612345678"}`, map[string]string{"Content-Type": "application/json; boundary=x"}, 400, bad},
		{"content type with CRLF", s, `{"contact":"+8613612345678"}`, map[string]string{"Content-Type": "application/json\r\nX-Evil: 1"}, 400, bad},
		// Contacts that are not contacts.
		{"script tag", s, `{"contact":"<script>alert(1)</script>"}`, nil, 400, contact},
		{"script email", s, `{"contact":"<script>@example.com"}`, nil, 400, contact},
		{"SQL injection", s, `{"contact":"' OR '1'='1"}`, nil, 400, contact},
		{"SQL in email", s, `{"contact":"a'; DROP TABLE users;--@example.com"}`, nil, 400, contact},
		{"SQL after number", s, `{"contact":"+8613612345678; DROP TABLE users"}`, nil, 400, contact},
		{"shell injection", s, `{"contact":"$(rm -rf /)"}`, nil, 400, contact},
		{"path traversal", s, `{"contact":"../../etc/passwd"}`, nil, 400, contact},
		{"CRLF in email", s, `{"contact":"a@example.com\r\nBcc: victim@example.com"}`, nil, 400, contact},
		{"header injection in email", s, `{"contact":"a@example.com\nSubject: hi"}`, nil, 400, contact},
		{"two emails", s, `{"contact":"a@example.com,b@example.com"}`, nil, 400, contact},
		{"email with display name", s, `{"contact":"Alice <a@example.com>"}`, nil, 400, contact},
		{"email of 300 chars", s, `{"contact":"` + strings.Repeat("a", 290) + `@example.com"}`, nil, 400, contact},
		{"256 digits", s, `{"contact":"` + strings.Repeat("1", 256) + `"}`, nil, 400, contact},
		{"255 spaces", s, `{"contact":"` + strings.Repeat(" ", 255) + `"}`, nil, 400, contact},
		{"arabic-indic digits", s, `{"contact":"+٨٦١٣٦١٢٣٤٥٦٧٨"}`, nil, 400, contact},
		{"devanagari digits", s, `{"contact":"+८६१३६१२३४५६७८"}`, nil, 400, contact},
		{"mathematical digits", s, `{"contact":"+𝟖𝟔𝟏𝟑𝟔𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖"}`, nil, 400, contact},
		{"superscript digits", s, `{"contact":"+⁸⁶¹³⁶¹²³⁴⁵⁶⁷⁸"}`, nil, 400, contact},
		{"zero-width joiner", s, "{\"contact\":\"+86136\u200d12345678\"}", nil, 400, contact},
		{"right-to-left override", s, "{\"contact\":\"+86136\u202e12345678\"}", nil, 400, contact},
		{"plus twice", s, `{"contact":"++8613612345678"}`, nil, 400, contact},
		{"premium-rate number", s, `{"contact":"+19005550123","country":"usa"}`, nil, 400, contact},
		{"fixed line", s, `{"contact":"+861012345678"}`, nil, 400, contact},
		{"too short", s, `{"contact":"+86136"}`, nil, 400, contact},
		{"tel URI", s, `{"contact":"tel:+8613612345678"}`, nil, 400, contact},
		{"extension", s, `{"contact":"+8613612345678 ext. 12"}`, nil, 400, contact},
		// Countries.
		{"unknown country", s, `{"contact":"+8613612345678","country":"China"}`, nil, 400, country},
		{"lower-cased country", s, `{"contact":"+8613612345678","country":"chinapr"}`, nil, 400, country},
		{"ISO code as country", s, `{"contact":"+8613612345678","country":"CN"}`, nil, 400, country},
		{"10,000-char country", s, `{"contact":"+8613612345678","country":"` + strings.Repeat("c", 10000) + `"}`, nil, 400, bad},
		{"2,000-char country", s, `{"contact":"+8613612345678","country":"` + strings.Repeat("c", 2000) + `"}`, nil, 400, country},
		{"SQL as country", s, `{"contact":"+8613612345678","country":"' OR 1=1 --"}`, nil, 400, country},
		{"mismatched country", s, `{"contact":"+8613612345678","country":"UK"}`, nil, 400, country},
		{"a Bahamas number as usa", s, `{"contact":"+12423571234","country":"usa"}`, nil, 400, country},
		{"a Jamaica number as usa, national", s, `{"contact":"(876) 555-0123","country":"usa"}`, nil, 400, country},
		{"a Kazakhstan number as russia", s, `{"contact":"+77011234567","country":"russia"}`, nil, 400, country},
		{"a satellite number as a country", s, `{"contact":"+881631234567","country":"usa"}`, nil, 400, country},
		{"a satellite number", s, `{"contact":"+881631234567"}`, nil, 403, "USG.201060008"},
		{"an Inmarsat number", s, `{"contact":"00870773111632"}`, nil, 403, "USG.201060008"},
		// Codes.
		{"full-width code digits, wrong", v, withCode(`"０００００１"`), nil, 400, wrong},
		{"arabic-indic code", v, withCode(`"١٢٣٤٥٦"`), nil, 400, codeFmt},
		{"mathematical digits code", v, withCode(`"𝟏𝟐𝟑𝟒𝟓𝟔"`), nil, 400, codeFmt},
		// Digits typed in groups or mixed widths are a well-formed code
		// (here a wrong one).
		{"mixed-width code", v, withCode(`"12３456"`), nil, 400, wrong},
		{"code with spaces", v, withCode(`" 123 456 "`), nil, 400, wrong},
		{"code with dashes", v, withCode(`"123-456"`), nil, 400, wrong},
		{"code with tabs", v, withCode(`"123\t456"`), nil, 400, codeFmt},
		{"code with too many digits among spaces", v, withCode(`"123 4567"`), nil, 400, codeFmt},
		{"code with NUL", v, withCode(`"12345\u0000"`), nil, 400, codeFmt},
		{"code as number", v, withCode(`123456`), nil, 400, codeFmt},
		{"code as huge number", v, withCode(`1e308`), nil, 400, codeFmt},
		{"code as array", v, withCode(`["123456"]`), nil, 400, codeFmt},
		{"code as object", v, withCode(`{"code":"123456"}`), nil, 400, codeFmt},
		{"code as bool", v, withCode(`true`), nil, 400, codeFmt},
		{"code too long", v, withCode(`"1234567"`), nil, 400, codeFmt},
		{"code of 10,000 digits", v, withCode(`"` + strings.Repeat("1", 3000) + `"`), nil, 400, codeFmt},
		{"code SQL", v, withCode(`"' OR 1=1"`), nil, 400, codeFmt},
		{"code wildcard", v, withCode(`"*"`), nil, 400, codeFmt},
		{"code regex", v, withCode(`".*"`), nil, 400, codeFmt},
		{"code hex", v, withCode(`"0x1E240"`), nil, 400, codeFmt},
		{"code negative", v, withCode(`"-12345"`), nil, 400, codeFmt},
		{"code missing", v, `{"contact":"+8613612345678"}`, nil, 400, codeFmt},
		{"code null", v, withCode(`null`), nil, 400, codeFmt},
		// Headers.
		{"10,000-char Accept-Language", v, withCode(`"123456"`), map[string]string{"Accept-Language": strings.Repeat("en-US,", 1667)}, 400, wrong},
		{"garbage Accept-Language", v, withCode(`"123456"`), map[string]string{"Accept-Language": ";;;q=x,,,*-*-*"}, 400, wrong},
		{"CRLF in Accept-Language", v, withCode(`"123456"`), map[string]string{"Accept-Language": "en\r\nX-Evil: 1"}, 400, wrong},
		{"CRLF in X-Request-Id", v, withCode(`"123456"`), map[string]string{"X-Request-Id": "a\r\nSet-Cookie: x=1"}, 400, wrong},
		{"10,000-char X-Request-Id", v, withCode(`"123456"`), map[string]string{"X-Request-Id": strings.Repeat("r", 10000)}, 400, wrong},
		{"quote in X-Request-Id", v, withCode(`"123456"`), map[string]string{"X-Request-Id": `a"b\c`}, 400, wrong},
		{"CRLF in token", s, `{"contact":"+8613612345678"}`, map[string]string{"X-Access-Token": "good-token\r\nX: 1"}, 401, unauthed},
		{"token with trailing space", s, `{"contact":"+8613612345678"}`, map[string]string{"X-Access-Token": "good-token "}, 401, unauthed},
		{"token prefix", s, `{"contact":"+8613612345678"}`, map[string]string{"X-Access-Token": "good"}, 401, unauthed},
		{"token 10,000 chars", s, `{"contact":"+8613612345678"}`, map[string]string{"X-Access-Token": strings.Repeat("t", 10000)}, 401, unauthed},
		{"token NUL", s, `{"contact":"+8613612345678"}`, map[string]string{"X-Access-Token": "good-token\x00"}, 401, unauthed},
		{"Bearer token", s, `{"contact":"+8613612345678"}`, map[string]string{"X-Access-Token": "Bearer good-token"}, 401, unauthed},
		{"token missing, bad body", s, `{`, map[string]string{"X-Access-Token": ""}, 401, unauthed},
	}
	return h
}

// padded returns a send body of exactly n bytes.
func padded(n int) string {
	head, tail := `{"contact":"+8613612345678","p":"`, `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

// TestHostileInput: every hand-written attack gets its documented 4xx with a
// well-formed error body, nothing is sent, and a valid request afterwards
// still succeeds.
func TestHostileInput(t *testing.T) {
	e := newEnv(t, []verifier.Option{withLimits(func(l *verifier.Limits) { l.Verify.Limit, l.Subject = 1000, verifier.ClientLimits{} })})
	reqs := hostileRequests()
	if len(reqs) < 100 {
		t.Fatalf("only %d hostile requests", len(reqs))
	}
	for _, h := range reqs {
		t.Run(h.name, func(t *testing.T) {
			w := e.do(call{path: h.path, body: h.body, header: h.header})
			if w.Code != h.status {
				t.Fatalf("status %d, want %d: %s", w.Code, h.status, w.Body)
			}
			got := decodeError(t, w)
			if got.Code != h.code {
				t.Fatalf("error_code %s, want %s", got.Code, h.code)
			}
			id := w.Header().Get("X-Request-Id")
			if id != got.ID || strings.ContainsAny(id, "\r\n") || len(id) > 64 {
				t.Fatalf("request id %q / %q", id, got.ID)
			}
		})
	}
	if e.rec.Len() != 0 {
		t.Fatalf("hostile requests sent %d codes", e.rec.Len())
	}
	code := e.send(t)
	if w := e.do(call{path: httpmw.VerifyPath, body: verifyBody(code)}); w.Code != 200 {
		t.Fatalf("a valid request after the attacks: %d %s", w.Code, w.Body)
	}
}

// TestHostileWire: requests net/http itself refuses (CR/LF in a header
// value, a header block too large) get a 4xx from the server, which keeps
// serving.
func TestHostileWire(t *testing.T) {
	e := newEnv(t, nil)
	srv := &http.Server{Handler: e.h, MaxHeaderBytes: 16 << 10, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	raw := func(req string) int {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprint(c, req)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("no response: %v", err)
		}
		return resp.StatusCode
	}
	body := `{"contact":"+8613612345678"}`
	head := "POST " + httpmw.SendPath + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Access-Token: good-token\r\n"
	for name, req := range map[string]string{
		"bare CR in header":   head + "X-Request-Id: a\rb\r\nContent-Length: 28\r\n\r\n" + body,
		"header too large":    head + "X-Pad: " + strings.Repeat("p", 64<<10) + "\r\nContent-Length: 28\r\n\r\n" + body,
		"bad content length":  head + "Content-Length: -1\r\n\r\n" + body,
		"two content lengths": head + "Content-Length: 28\r\nContent-Length: 5\r\n\r\n" + body,
	} {
		if status := raw(req); status < 400 || status > 499 {
			t.Errorf("%s: status %d, want a 4xx", name, status)
		}
	}
	if status := raw(head + "Content-Length: 28\r\n\r\n" + body); status != 200 {
		t.Fatalf("a valid request afterwards: %d", status)
	}
}
