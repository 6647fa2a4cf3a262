package main

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
)

// sameBytes is the ceiling: a plain net/http handler that reads the body
// and writes exactly the bytes vcode writes on the attack path (a 429 with
// Cache-Control, Content-Language, Content-Type, Pragma, Retry-After, a
// fresh X-Request-Id, and the JSON error body naming it), and does nothing
// else. No implementation of the API writes less on that path, so vcode's
// own share of a request is what it costs beyond this. TestSameBytes
// checks the bytes against cmd/vcoded's answer.
type sameBytes struct{}

// The parts of the attack path's answer that do not change: the status,
// the headers but the id and the body around it (zh-CN, the default, for a
// request without Accept-Language).
const (
	ceilingBodyPrefix = `{"error_code":"USG.201060006","error_msg":"验证次数过多，请稍后再试。","request_id":"`
	ceilingBodySuffix = `"}`
	ceilingRetryAfter = "60"
)

var (
	ceilingNoCache  = []string{"no-cache"}
	ceilingLanguage = []string{"zh-CN"}
	ceilingJSON     = []string{"application/json;charset=UTF-8"}
	ceilingRetry    = []string{ceilingRetryAfter}
)

func (sameBytes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	var raw [16]byte
	rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	h := w.Header()
	h["X-Request-Id"] = []string{id}
	h["Cache-Control"] = ceilingNoCache
	h["Pragma"] = ceilingNoCache
	h["Content-Language"] = ceilingLanguage
	h["Retry-After"] = ceilingRetry
	h["Content-Type"] = ceilingJSON
	b := make([]byte, 0, 192)
	b = append(b, ceilingBodyPrefix...)
	b = append(b, id...)
	b = append(b, ceilingBodySuffix...)
	w.WriteHeader(http.StatusTooManyRequests)
	w.Write(b)
}
