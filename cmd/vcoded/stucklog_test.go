package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// TestStuckStderrNeverHangs: vcoded's standard error is a pipe that
// nobody reads once the server has started. 1,000 requests that each fail
// with a 500 (and so log an ERROR line), among 11,000 refused with a 401
// (an INFO line each), all complete; /metrics exports the count of the
// lines dropped; and once the pipe is read again, the lines written and
// the drops reported add up to the 12,000.
func TestStuckStderrNeverHangs(t *testing.T) {
	mr := miniredis.RunT(t)
	mr.SetError("ERR the test's Redis fails every command")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"VCODE_TOKENS": "tok", "VCODE_SECRET": "a-secret-of-32-bytes-for-tests.."}
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-redis", "redis://" + mr.Addr()},
			func(k string) string { return env[k] }, io.Discard, w, func(a net.Addr) { addrs <- a })
	}()
	var url string
	select {
	case a := <-addrs:
		url = "http://" + a.String()
	case err := <-done:
		t.Fatalf("vcoded did not start: %v", err)
	}
	// The start's lines, up to "vcoded listening", are in the pipe; read
	// them, and then nothing more for now.
	br := bufio.NewReader(r)
	var start strings.Builder
	for !strings.Contains(start.String(), "vcoded listening") {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		start.WriteString(line)
	}
	m := regexp.MustCompile(`msg="vcoded metrics" addr=(\S+)`).FindStringSubmatch(start.String())
	if m == nil {
		t.Fatalf("no metrics address in:\n%s", start.String())
	}

	const failing, refused, workers = 1000, 11000, 20
	const n = failing + refused
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var wg sync.WaitGroup
		for k := range workers {
			wg.Go(func() {
				for i := k; i < n; i += workers {
					token, want := "tok", http.StatusInternalServerError
					if i%12 != 0 {
						token, want = "wrong", http.StatusUnauthorized
					}
					resp, _ := post(t, url+verifyPath, token, `{"contact":"+8613612345678","verificationCode":"000000"}`)
					if resp.StatusCode != want {
						t.Errorf("request %d: %d, want %d", i, resp.StatusCode, want)
					}
				}
			})
		}
		wg.Wait()
	}()
	select {
	case <-finished:
	case <-time.After(2 * time.Minute): // a watchdog, not a measure
		t.Fatal("requests still hang on the stuck standard error after two minutes")
	}

	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mm := regexp.MustCompile(`(?m)^vcode_log_lines_dropped_total (\d+)$`).FindSubmatch(metrics)
	if mm == nil {
		t.Fatalf("no vcode_log_lines_dropped_total in /metrics:\n%s", metrics)
	}
	dropped, _ := strconv.Atoi(string(mm[1]))

	// Read the pipe again, stop, and count.
	var rest strings.Builder
	drained := make(chan struct{})
	go func() {
		io.Copy(&rest, br)
		close(drained)
	}()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	w.Close()
	<-drained
	logs := rest.String()
	errors, infos := strings.Count(logs, "level=ERROR msg=\"vcode request\""), strings.Count(logs, "level=INFO msg=\"vcode request\"")
	lines := errors + infos
	reported := 0
	for _, s := range regexp.MustCompile(`vcode log: (\d+) lines dropped`).FindAllStringSubmatch(logs, -1) {
		k, _ := strconv.Atoi(s[1])
		reported += k
	}
	if lines+reported != n || reported != dropped || dropped == 0 {
		t.Fatalf("%d request lines written (%d ERROR), %d reported dropped, the metric %d: want %d in all, the report equal to the metric and not 0",
			lines, errors, reported, dropped, n)
	}
	t.Logf("%d request lines written (%d ERROR), %d dropped", lines, errors, reported)
}

// TestRedisClientLinesThroughLog: go-redis's own lines (a failed dial, on
// a request's path) go through vcoded's log, and so through its bounded
// queue, not straight to the process's standard error, where a stuck
// pipe would hold the request.
func TestRedisClientLinesThroughLog(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	s := start(t, []string{"-redis", "redis://" + dead}, map[string]string{"VCODE_TOKENS": "tok", "VCODE_SECRET": "a-secret-of-32-bytes-for-tests.."})
	if resp, _ := post(t, s.url+verifyPath, "tok", `{"contact":"+8613612345678","verificationCode":"000000"}`); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("verify with Redis down: %d", resp.StatusCode)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if logs := s.stderr.String(); !strings.Contains(logs, `level=WARN msg="redis client" message=`) || !strings.Contains(logs, dead) {
		t.Fatalf("no line of go-redis's in vcoded's log:\n%s", logs)
	}
}
