package httpmw

import (
	"strings"
	"testing"
)

// corsSafelisted says whether a browser sends a request with the
// Content-Type value v without a CORS preflight, by the Fetch standard's
// rule for a CORS-safelisted request header: at most 128 bytes, no
// CORS-unsafe byte, and a MIME type whose essence is
// application/x-www-form-urlencoded, multipart/form-data or text/plain.
// A page on another site can send a body of such a type, or none, with
// the user's cookies; any other type needs the server's consent first.
func corsSafelisted(v string) bool {
	if len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 && c != '\t' || c == 0x7f || strings.IndexByte(`"():<>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	// Parse a MIME type (WHATWG MIME Sniffing): strip HTTP whitespace,
	// type up to "/", subtype up to ";" with trailing whitespace removed,
	// both non-empty HTTP tokens. Parameters do not change the essence.
	v = strings.Trim(v, " \t\r\n")
	typ, rest, ok := strings.Cut(v, "/")
	if !ok || !isToken(typ) {
		return false
	}
	sub, _, _ := strings.Cut(rest, ";")
	sub = strings.TrimRight(sub, " \t\r\n")
	if !isToken(sub) {
		return false
	}
	switch strings.ToLower(typ + "/" + sub) {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return true
	}
	return false
}

// isToken says whether s is a non-empty HTTP token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// TestJSONIsNeverSafelisted: no Content-Type the endpoints accept is one a
// page on another site can make a browser send without a preflight, and
// every one it can (and none at all) is refused. FuzzReadBody checks the
// first half on random values too.
func TestJSONIsNeverSafelisted(t *testing.T) {
	for _, tt := range []struct {
		ct               string
		json, safelisted bool
	}{
		{"application/json", true, false},
		{"application/json;charset=UTF-8", true, false},
		{"application/json; charset=utf-8", true, false},
		{"Application/JSON", true, false},
		{" application/json ", true, false},
		{"", false, false}, // no body type: a fetch of an ArrayBuffer, no preflight either
		{"text/plain", false, true},
		{"text/plain;charset=UTF-8", false, true},
		{"TEXT/Plain", false, true},
		{" text/plain ; charset=utf-8", false, true},
		{"text/plain; charset=application/json", false, true},
		{"text/plain;application/json", false, true},
		{"text/plain; a=application/json", false, true},
		{"application/x-www-form-urlencoded", false, true},
		{"application/x-www-form-urlencoded;charset=UTF-8", false, true},
		{"application/x-www-form-urlencoded;type=application/json", false, true},
		{"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", false, true},
		{"multipart/form-data", false, true},
		{"text/plain, application/json", false, false},
		{"application/json, text/plain", false, false},
		{"application/jsonp", false, false},
		{"application/json-patch+json", false, false},
		{"application/json; charset=latin1", false, false},
		{"text/json", false, false},
	} {
		if got := isJSON(tt.ct); got != tt.json {
			t.Errorf("isJSON(%q) = %v, want %v", tt.ct, got, tt.json)
		}
		if got := corsSafelisted(tt.ct); got != tt.safelisted {
			t.Errorf("corsSafelisted(%q) = %v, want %v", tt.ct, got, tt.safelisted)
		}
	}
}
