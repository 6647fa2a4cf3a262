package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
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

// processCPU is the CPU seconds, user and system, that process pid (0 for
// this one) has used so far, from /proc (Linux); 0 if it cannot tell. On
// a shared machine a server's CPU per request is steadier than its
// throughput, which depends on what else the cores run.
func processCPU(pid int) float64 {
	p := "/proc/self/stat"
	if pid != 0 {
		p = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing one. utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return (utime + stime) / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc's times: 100 on every Linux
// architecture Go supports.
const clockTicks = 100
