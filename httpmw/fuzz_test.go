package httpmw

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// FuzzReadBody: decoding never panics and fails only with the documented
// errors; a body without a content type, or of one a page on another site
// can send without a CORS preflight, is never read.
func FuzzReadBody(f *testing.F) {
	for _, seed := range []string{
		`{"contact":"+8613612345678","country":"chinaPR"}`, `{"contact":"+8613612345678","verificationCode":"753927"}`,
		``, `{`, `[]`, `null`, `{"contact":123}`, `{"contact":null}`, `{"country":{}}`, `{"contact":"a"}{}`,
		"{\"contact\":\"\xff\"}", `{"contact":"\u0000"}`, `{"contact":"x","contact":"y"}`, `{"a":[[[[[[[[]]]]]]]]}`,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte(`{}`), "text/plain")
	f.Add([]byte(`{"contact":"+8613612345678","x":"="}`), "text/plain;charset=UTF-8")
	f.Add([]byte(`{"contact":"+8613612345678"}`), "application/x-www-form-urlencoded")
	f.Add([]byte(`{"contact":"+8613612345678"}`), "")
	f.Add([]byte(`{}`), "application/json; charset=latin1")
	f.Fuzz(func(t *testing.T, raw []byte, contentType string) {
		r := httptest.NewRequest("POST", SendPath, bytes.NewReader(raw))
		r.Header.Set("Content-Type", contentType)
		_, err := readBody(r, DefaultMaxBodyBytes)
		if err != nil && !errors.Is(err, errBadRequest) && !errors.Is(err, contact.ErrInvalid) &&
			!errors.Is(err, contact.ErrUnknownCountry) {
			t.Fatalf("readBody(%q, %q): undocumented error %v", raw, contentType, err)
		}
		if (contentType == "" || corsSafelisted(contentType)) && !errors.Is(err, errBadRequest) {
			t.Fatalf("readBody(%q, %q): a body a page on another site can send without a preflight was read: %v", raw, contentType, err)
		}
	})
}

// documented are the error codes of the table that client input may cause.
var documented = func() map[string]int {
	m := map[string]int{}
	for _, s := range ErrorTable() {
		m[s.Code] = s.Status
	}
	return m
}()

// FuzzHandler sends random bodies and headers through the whole handler:
// no panic, never a 500 for client input, and every answer has a documented
// status and error_code.
func FuzzHandler(f *testing.F) {
	v, err := verifier.New(notify.Discard)
	if err != nil {
		f.Fatal(err)
	}
	auth, _ := NewStaticTokens(map[string]string{"token": "fuzz"})
	h, err := New(v, auth)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"contact":"+8613612345678","country":"chinaPR"}`), "application/json", "", "", "token", false)
	f.Add([]byte(`{"contact":"+8613612345678","verificationCode":"753927"}`), "application/json", "en-US", "rid-1", "token", true)
	f.Add([]byte(`{"contact":"a@example.com"}`), "application/json;charset=UTF-8", "en-GB,en;q=0.9", "x y", "token", false)
	f.Add([]byte(`{"contact":"+8613612345678"}`), "application/json", "zh-CN", "", "", false)
	f.Add([]byte(`{"contact":"+8613612345678"}`), "application/json", "*", "\r\n", "wrong", true)
	f.Add([]byte("\x00\x01"), "", "\xff", "\xff", "token", true)
	f.Fuzz(func(t *testing.T, body []byte, contentType, acceptLanguage, requestID, token string, verify bool) {
		path := SendPath
		if verify {
			path = VerifyPath
		}
		r := httptest.NewRequest("POST", path, bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("Accept-Language", acceptLanguage)
		r.Header.Set("X-Request-Id", requestID)
		r.Header.Set("X-Access-Token", token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		id := w.Header().Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			t.Fatalf("X-Request-Id %q", id)
		}
		if w.Code == http.StatusOK {
			if w.Body.Len() != 0 {
				t.Fatalf("200 with a body %q", w.Body)
			}
			return
		}
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("500 for client input: body %q, content type %q: %s", body, contentType, w.Body)
		}
		var e struct {
			Code string `json:"error_code"`
			Msg  string `json:"error_msg"`
			ID   string `json:"request_id"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Fatalf("error body is not JSON: %q", w.Body)
		}
		if status, ok := documented[e.Code]; !ok || status != w.Code || e.Msg == "" || e.ID != id {
			t.Fatalf("status %d with %+v: not in the error table", w.Code, e)
		}
	})
}

// FuzzFastDecode: whenever the fast path accepts a body, encoding/json
// accepts it too and decodes exactly the same fields.
func FuzzFastDecode(f *testing.F) {
	for _, seed := range []string{
		`{"contact":"+8613612345678","country":"chinaPR"}`, `{ "Contact" : "a" , "VERIFICATIONCODE":"1" }`,
		`{"contact":"a","contact":"b"}`, `{"contact":"a","CONTACT":"b"}`, `{"x":"y"}`, `{}`, `{"contact":"\u0041"}`,
		`{"contact":1}`, `{"contact":"a",}`, `{"contact":"a"}}`, "{\"contact\":\"a\tb\"}", `{"ſontact":"a"}`,
		`{"contact":"你好"}`, `{"contact":"a" "country":"b"}`, `{"contact":"a"]`, `{"contact"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		raw = bytes.TrimSpace(raw)
		if !utf8.Valid(raw) {
			return
		}
		fast, ok := fastDecode(raw)
		if !ok {
			return
		}
		var slow wireBody
		if err := json.Unmarshal(raw, &slow); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json: %v", raw, err)
		}
		if fast != slow {
			t.Fatalf("%q: fast %+v, encoding/json %+v", raw, fast, slow)
		}
	})
}
