package httpmw

import "bytes"

// fastDecode decodes the common request body, a flat JSON object whose
// values are all strings without escapes, in one pass without reflection.
// Anything else (escapes, numbers, null, nested values, non-ASCII keys, a
// syntax error) returns false, and readBody falls back to encoding/json, so
// the answer is always what encoding/json would give: FuzzFastDecode
// checks exactly that. raw is trimmed and valid UTF-8.
func fastDecode(raw []byte) (wireBody, bool) {
	var w wireBody
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return w, false
	}
	i := skipSpace(raw, 1)
	if raw[i] == '}' {
		return w, i == len(raw)-1
	}
	for {
		key, next, ok := plainString(raw, i)
		if !ok || !isASCII(key) {
			return w, false
		}
		i = skipSpace(raw, next)
		if i >= len(raw) || raw[i] != ':' {
			return w, false
		}
		i = skipSpace(raw, i+1)
		val, next, ok := plainString(raw, i)
		if !ok {
			return w, false
		}
		switch {
		case asciiFold(key, "contact"):
			w.Contact = string(val)
		case asciiFold(key, "country"):
			w.Country = string(val)
		case asciiFold(key, "verificationCode"):
			w.VerificationCode = string(val)
		}
		i = skipSpace(raw, next)
		if i >= len(raw) {
			return w, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return w, i == len(raw)-1
		default:
			return w, false
		}
	}
}

// plainString reads a JSON string at raw[i] that has no escape and no
// control character, returning its contents and the index after it.
func plainString(raw []byte, i int) ([]byte, int, bool) {
	if i >= len(raw) || raw[i] != '"' {
		return nil, 0, false
	}
	end := bytes.IndexByte(raw[i+1:], '"')
	if end < 0 {
		return nil, 0, false
	}
	s := raw[i+1 : i+1+end]
	for _, c := range s {
		if c < 0x20 || c == '\\' {
			return nil, 0, false
		}
	}
	return s, i + end + 2, true
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// isASCII: encoding/json folds some non-ASCII letters into ASCII ones ("ſ"
// for "s", "K" for "k"), so a body with a non-ASCII key goes the slow way.
func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// asciiFold matches an ASCII key as encoding/json does: exactly or
// case-insensitively.
func asciiFold(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i, c := range key {
		n := name[i]
		if c != n && lower(c) != lower(n) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
