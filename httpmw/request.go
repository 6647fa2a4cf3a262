package httpmw

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/i18n"
)

// body is a decoded request body. A field that is absent or null is empty.
type body struct {
	contact, country, code string
}

// wireBody is the JSON object; absent and null fields stay empty.
type wireBody struct {
	Contact          string `json:"contact"`
	Country          string `json:"country"`
	VerificationCode string `json:"verificationCode"`
}

// readBody enforces the content type and size limit and decodes the JSON
// object. Unknown fields are ignored, as the published API does. A field
// of the wrong JSON type gets that field's own error (a number for contact
// is an invalid contact) rather than a generic one.
func readBody(r *http.Request, limit int64) (body, error) {
	if !isJSON(headerValue(r.Header, "Content-Type")) {
		return body{}, fmt.Errorf("%w: content type %q", errBadRequest, r.Header.Get("Content-Type"))
	}
	if r.ContentLength > limit {
		return body{}, fmt.Errorf("%w: %d bytes", errBadRequest, r.ContentLength)
	}
	buf := bodyBuffers.Get().(*[]byte)
	defer bodyBuffers.Put(buf)
	raw, err := readLimited(r.Body, (*buf)[:0], limit+1)
	*buf = raw
	if err != nil {
		return body{}, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	if int64(len(raw)) > limit {
		return body{}, fmt.Errorf("%w: over %d bytes", errBadRequest, limit)
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(raw) {
		return body{}, fmt.Errorf("%w: invalid UTF-8", errBadRequest)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return body{}, fmt.Errorf("%w: not a JSON object", errBadRequest)
	}
	if w, ok := fastDecode(raw); ok {
		return body{contact: w.Contact, country: w.Country, code: w.VerificationCode}, nil
	}
	var w wireBody
	// Unmarshal checks the whole input first, so malformed JSON and
	// trailing data are syntax errors; type errors come after, naming the
	// first mistyped field, with the other fields decoded.
	err = json.Unmarshal(raw, &w)
	b := body{contact: w.Contact, country: w.Country, code: w.VerificationCode}
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return b, nil
	case !errors.As(err, &typeErr):
		return body{}, fmt.Errorf("%w: %v", errBadRequest, err)
	case strings.EqualFold(typeErr.Field, "contact"):
		return body{}, contact.ErrInvalid
	case strings.EqualFold(typeErr.Field, "country"):
		return body{}, contact.ErrUnknownCountry
	default:
		// verificationCode, the only other field decoded, is left empty:
		// Verify then reports it as a malformed code, after the
		// contact's own errors, as for any other malformed code.
		return b, nil
	}
}

// bodyBuffers recycles request body buffers.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// readLimited appends at most n bytes of r to buf.
func readLimited(r io.Reader, buf []byte, n int64) ([]byte, error) {
	lr := io.LimitedReader{R: r, N: n}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		m, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// isJSON accepts application/json with at most a UTF-8 charset parameter.
func isJSON(ct string) bool {
	if ct == "application/json" || ct == "application/json;charset=UTF-8" {
		return true
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return false
		}
	}
	return true
}

// requestID returns the client's X-Request-Id if it is a sane token
// (printable ASCII without spaces, 1 to 64 bytes), or a new 32-hex one,
// and the header value holding it.
func requestID(given string) (string, []string) {
	if len(given) > 0 && len(given) <= 64 {
		ok := true
		for i := 0; i < len(given); i++ {
			if given[i] <= ' ' || given[i] > '~' {
				ok = false
				break
			}
		}
		if ok {
			return given, []string{given}
		}
	}
	// One allocation for the id and its header value.
	box := new(idBox)
	var b [16]byte
	rand.Read(b[:])
	hex.Encode(box.hex[:], b[:])
	id := unsafe.String(&box.hex[0], len(box.hex)) // never written again
	box.value[0] = id
	return id, box.value[:]
}

// idBox is a new request id and its header value, allocated together.
type idBox struct {
	value [1]string
	hex   [32]byte
}

// appendErrorJSON encodes the error body. The part before the request id
// depends only on the table row and the language, so it is encoded once and
// kept: refusals are the hot path of an attack.
func appendErrorJSON(dst []byte, cat *i18n.Catalog, spec ErrorSpec, lang language.Tag, id string) []byte {
	k := prefixKey{cat, spec.Code, spec.Message, lang}
	prefix, ok := errorPrefixes.Load(k)
	if !ok {
		var b []byte
		b = append(b, `{"error_code":`...)
		b = appendJSONString(b, spec.Code)
		b = append(b, `,"error_msg":`...)
		b = appendJSONString(b, cat.Error(lang, spec.Message))
		b = append(b, `,"request_id":`...)
		prefix, _ = errorPrefixes.LoadOrStore(k, b)
	}
	dst = append(dst, prefix.([]byte)...)
	dst = appendJSONString(dst, id)
	return append(dst, '}')
}

type prefixKey struct {
	cat  *i18n.Catalog
	code string
	msg  i18n.Key
	lang language.Tag
}

// errorPrefixes caches encoded body prefixes: a few dozen per catalog
// (rows of the table times languages), and a process has a catalog or
// two.
var errorPrefixes sync.Map

// appendJSONString quotes s for JSON; plain printable ASCII, the usual
// request id, needs no encoder.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// headerValue is h.Get(key) for a key already in canonical form (the
// constants this package reads), without Get's canonicalising of the key
// on every call: the map holds canonical keys, so the lookup is the same.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
