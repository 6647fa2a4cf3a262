package main

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

const verifyPath = "/v1/usg/dcs/member/verification-code/verify"

// TestEveryRequestLoggedByShutdown: the request lines are written
// asynchronously, yet once run returns every request has its line, before
// the shutdown line.
func TestEveryRequestLoggedByShutdown(t *testing.T) {
	// Wrong codes: 400, then 429 once the attempts are spent.
	s := start(t, nil, map[string]string{"VCODE_TOKENS": "tok"})
	const n, workers = 200, 8
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				token := "tok"
				if i%10 == 0 {
					token = "wrong" // a 401, logged too
				}
				resp, _ := post(t, s.url+verifyPath, token, `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"000000"}`)
				ids <- resp.Header.Get("X-Request-Id")
			}
		})
	}
	wg.Wait()
	close(ids)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	logs := s.stderr.String()
	if got := strings.Count(logs, `msg="vcode request"`); got != n {
		t.Fatalf("%d request lines, want %d", got, n)
	}
	for id := range ids {
		if id == "" || !strings.Contains(logs, "request_id="+id+" ") {
			t.Fatalf("no line for request %q", id)
		}
	}
	if strings.Contains(logs, "dropped") {
		t.Fatalf("lines dropped:\n%s", logs)
	}
	if strings.LastIndex(logs, `msg="vcode request"`) > strings.Index(logs, "vcoded shutting down") {
		t.Fatal("a request line after the shutdown line")
	}
}

// TestLogLevelOff: no request line, but vcoded's own lines and warnings.
func TestLogLevelOff(t *testing.T) {
	s := start(t, []string{"-log-level", "off", "-tokens", "tok"}, nil)
	for range 5 {
		post(t, s.url+verifyPath, "tok", `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"000000"}`)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	logs := s.stderr.String()
	if strings.Contains(logs, "vcode request") {
		t.Fatalf("a request line with -log-level off:\n%s", logs)
	}
	for _, want := range []string{"level=WARN msg=\"secret on the command line", "vcoded listening", "vcoded shutting down"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("no %q:\n%s", want, logs)
		}
	}
}

// TestLogLevelErrorKeepsFailures: VCODE_LOG_LEVEL=warn drops the lines of
// the requests that did not fail with a 5xx, and keeps the others.
func TestLogLevelErrorKeepsFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	s := start(t, nil, map[string]string{"VCODE_TOKENS": "tok", "VCODE_LOG_LEVEL": "warn",
		"VCODE_WEBHOOK_URL": "http://" + dead + "/sms", "VCODE_WEBHOOK_SECRET": "webhook secret, 16+ bytes"})
	resp, _ := post(t, s.url+verifyPath, "wrong", `{}`)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", resp.StatusCode)
	}
	resp, _ = post(t, s.url+"/v1/usg/dcs/member/verification-code", "tok", `{"contact":"+8613612345678"}`)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("send through a dead webhook: %d", resp.StatusCode)
	}
	// An ERROR line is written synchronously: there before the stop.
	if logs := s.stderr.String(); strings.Count(logs, "vcode request") != 1 || !strings.Contains(logs, "status=500") {
		t.Fatalf("want the 500's line only:\n%s", logs)
	}
	s.stop()
	if logs := s.stderr.String(); strings.Count(logs, "vcode request") != 1 {
		t.Fatalf("want the 500's line only:\n%s", logs)
	}
}

func TestLogLevelInvalid(t *testing.T) {
	for _, args := range [][]string{{"-log-level", "loud"}} {
		_, err := runOnce(t, args, nil)
		if err == nil || !strings.Contains(err.Error(), "-log-level") {
			t.Fatalf("%q: %v", args, err)
		}
	}
	_, err := runOnce(t, nil, map[string]string{"VCODE_LOG_LEVEL": "verbose"})
	if err == nil || !strings.Contains(err.Error(), "VCODE_LOG_LEVEL") {
		t.Fatalf("VCODE_LOG_LEVEL=verbose: %v", err)
	}
}

func TestParseLogLevel(t *testing.T) {
	for _, tt := range []struct {
		in  string
		on  bool
		lvl string
	}{{"debug", true, "DEBUG"}, {"INFO", true, "INFO"}, {"warn", true, "WARN"}, {"error", true, "ERROR"}, {"off", false, ""}} {
		l, on, err := parseLogLevel(tt.in)
		if err != nil || on != tt.on || (on && l.String() != tt.lvl) {
			t.Errorf("%s: %v %v %v", tt.in, l, on, err)
		}
	}
}
