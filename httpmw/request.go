package httpmw

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/vcodekit/vcode/verifier"
)

// body is a decoded request body. A field that is absent or null is empty.
type body struct {
	contact, country, code string
	// badCode is set when verificationCode is not a JSON string; the
	// handler reports it after the contact's own errors, as for any other
	// malformed code.
	badCode bool
}

// wireBody keeps each field raw, so that a field of the wrong JSON type gets
// that field's own error (a number for contact is an invalid contact) rather
// than a generic one.
type wireBody struct {
	Contact          json.RawMessage `json:"contact"`
	Country          json.RawMessage `json:"country"`
	VerificationCode json.RawMessage `json:"verificationCode"`
}

// readBody enforces the content type and size limit and decodes the JSON
// object. Unknown fields are ignored, as the published API does.
func readBody(r *http.Request, limit int64) (body, error) {
	if !isJSON(r.Header.Get("Content-Type")) {
		return body{}, fmt.Errorf("%w: content type %q", errBadRequest, r.Header.Get("Content-Type"))
	}
	if r.ContentLength > limit {
		return body{}, fmt.Errorf("%w: %d bytes", errBadRequest, r.ContentLength)
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
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
	var w wireBody
	// Unmarshal also rejects trailing data after the object.
	if err := json.Unmarshal(raw, &w); err != nil {
		return body{}, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	var b body
	var ok bool
	if b.contact, ok = jsonString(w.Contact); !ok {
		return body{}, verifier.ErrInvalidContact
	}
	if b.country, ok = jsonString(w.Country); !ok {
		return body{}, verifier.ErrUnknownCountry
	}
	b.code, ok = jsonString(w.VerificationCode)
	b.badCode = !ok
	return b, nil
}

// jsonString decodes a raw field: absent and null give "", a string gives
// its value, anything else is not ok.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	if raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
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
// (printable ASCII without spaces, 1 to 64 bytes), or a new 32-hex one.
func requestID(given string) string {
	if len(given) > 0 && len(given) <= 64 {
		ok := true
		for i := 0; i < len(given); i++ {
			if given[i] <= ' ' || given[i] > '~' {
				ok = false
				break
			}
		}
		if ok {
			return given
		}
	}
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// appendErrorJSON encodes the error body. json.Marshal would do, but this is
// on every refused request, including the 429s of an attack.
func appendErrorJSON(dst []byte, e errorBody) []byte {
	dst = append(dst, `{"error_code":`...)
	dst = appendJSONString(dst, e.Code)
	dst = append(dst, `,"error_msg":`...)
	dst = appendJSONString(dst, e.Message)
	dst = append(dst, `,"request_id":`...)
	dst = appendJSONString(dst, e.ID)
	return append(dst, '}')
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always encodes
	return append(dst, b...)
}
