package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/internal/asynclog"
)

// TestHelpListsEveryVariable: -help names every environment variable
// vcoded's code reads (each string literal VCODE_*, TWILIO_* or AWS_* in
// its non-test files), VCODE_SECRET among them, which has no flag.
func TestHelpListsEveryVariable(t *testing.T) {
	var help bytes.Buffer
	if _, err := parse([]string{"-help"}, func(string) string { return "" }, &help); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parse -help = %v, want flag.ErrHelp", err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`"((?:VCODE|TWILIO|AWS)_[A-Z_]+)"`)
	var read []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			read = append(read, m[1])
		}
	}
	slices.Sort(read)
	read = slices.Compact(read)
	if len(read) < 50 || !slices.Contains(read, "VCODE_SECRET") || !slices.Contains(read, "TWILIO_ACCOUNT_SID") {
		t.Fatalf("found only %d variables in the sources: %q", len(read), read)
	}
	for _, v := range read {
		if !regexp.MustCompile(`\b` + v + `\b`).MatchString(help.String()) {
			t.Errorf("-help does not name %s", v)
		}
	}
}

// TestParse: parse reads each flag, its environment variable when the
// flag is not given, the secrets from the environment only after parsing,
// and refuses what is wrong on its face; a secret given as a flag is kept
// for a warning that names the flag.
func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(*testing.T, *config)
		err   string
	}{
		{"defaults", nil, nil, func(t *testing.T, c *config) {
			if c.addr != "127.0.0.1:8080" || c.redisPrefix != "vcode:" || c.logFormat != "text" || !c.reqLog || c.reqLevel != slog.LevelInfo ||
				c.policy.guard != "standard" || c.tokenList != "" || len(c.secretWarnings) != 0 {
				t.Errorf("config %+v", c)
			}
		}, ""},
		{"environment", nil, map[string]string{
			"VCODE_ADDR": "127.0.0.1:9", "VCODE_TOKENS": "a,b", "VCODE_REDIS_URL": "redis://h:1", "VCODE_SMS": "twilio",
			"VCODE_LOG_LEVEL": "off", "VCODE_GUARD": "max", "VCODE_WEBHOOK_SECRET": "s3",
		}, func(t *testing.T, c *config) {
			if c.addr != "127.0.0.1:9" || c.tokenList != "a,b" || c.redisURL != "redis://h:1" || c.sms != "twilio" || c.reqLog ||
				c.policy.guard != "max" || c.webhookSecret != "s3" || len(c.secretWarnings) != 0 {
				t.Errorf("config %+v", c)
			}
		}, ""},
		{"flags win", []string{"-addr", "127.0.0.1:7", "-tokens", "f", "-log-level", "error"}, map[string]string{"VCODE_ADDR": "127.0.0.1:9", "VCODE_TOKENS": "e"},
			func(t *testing.T, c *config) {
				if c.addr != "127.0.0.1:7" || c.tokenList != "f" || c.reqLevel != slog.LevelError {
					t.Errorf("config %+v", c)
				}
				if want := []secretWarning{{"tokens", "VCODE_TOKENS or -tokens-file"}}; !slices.Equal(c.secretWarnings, want) {
					t.Errorf("warnings %v, want %v", c.secretWarnings, want)
				}
			}, ""},
		{"a URL with a password as a flag", []string{"-redis", "redis://u:p@h:1", "-smtp-url", "smtp://h:25?from=a@b.c"}, nil, func(t *testing.T, c *config) {
			if want := []secretWarning{{"redis", "VCODE_REDIS_URL"}}; !slices.Equal(c.secretWarnings, want) {
				t.Errorf("warnings %v, want %v", c.secretWarnings, want)
			}
		}, ""},
		{"version", []string{"-version", "-log-level", "nonsense"}, nil, func(t *testing.T, c *config) {
			if !c.showVersion {
				t.Error("showVersion not set")
			}
		}, ""},
		{"stray argument", []string{"-webhook-secret", "two", "words"}, nil, nil, "1 unexpected arguments"},
		{"bad log level", nil, map[string]string{"VCODE_LOG_LEVEL": "loud"}, nil, "-log-level (VCODE_LOG_LEVEL)"},
		{"bad log format", []string{"-log-format", "xml"}, nil, nil, "-log-format (VCODE_LOG_FORMAT)"},
		{"bad policy variable", nil, map[string]string{"VCODE_LIMIT_SEND": "ten"}, nil, "VCODE_LIMIT_SEND"},
		{"unknown flag", []string{"-nope"}, nil, nil, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("parse = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// TestBuild: build makes the app the configuration says, or fails
// naming what is wrong; what it made is released by close either way.
func TestBuild(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		env            map[string]string
		backend, route string // "" when it fails
		err            string
	}{
		{"memory, stdout", []string{"-tokens", "t"}, nil, "memory", "stdout", ""},
		{"webhook", []string{"-tokens", "t", "-webhook-url", "http://127.0.0.1:1/hook"}, map[string]string{"VCODE_WEBHOOK_SECRET": "a-webhook-secret-of-32-bytes-ok!"},
			"memory", "sms=webhook,email=webhook", ""},
		{"redis without secret", []string{"-tokens", "t", "-redis", "redis://127.0.0.1:1"}, nil, "", "", "-redis needs VCODE_SECRET"},
		{"secret without webhook", []string{"-tokens", "t"}, map[string]string{"VCODE_WEBHOOK_SECRET": "s"}, "", "", "no -webhook-url"},
		{"short HMAC secret", []string{"-tokens", "t"}, map[string]string{"VCODE_SECRET": "short"}, "", "", "at least 16"},
		{"unknown provider", []string{"-tokens", "t", "-sms", "pigeon"}, nil, "", "", `-sms "pigeon"`},
		{"bad guard", []string{"-tokens", "t", "-guard", "maximal"}, nil, "", "", `-guard "maximal"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			cfg, err := parse(tt.args, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			alog := asynclog.New(io.Discard, func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }, nil)
			defer alog.Close()
			var stdout bytes.Buffer
			a, err := build(context.Background(), cfg, getenv, &stdout, io.Discard, alog, slog.New(alog))
			defer a.close()
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("build = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.backend != tt.backend || a.delivery != tt.route {
				t.Errorf("backend %q, delivery %q; want %q, %q", a.backend, a.delivery, tt.backend, tt.route)
			}
			rec := httptest.NewRecorder()
			a.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("/readyz: %d %s", rec.Code, rec.Body)
			}
			rec = httptest.NewRecorder()
			a.metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if !strings.Contains(rec.Body.String(), "vcode_log_lines_dropped_total") {
				t.Errorf("/metrics lacks vcoded's own metric:\n%.300s", rec.Body)
			}
		})
	}
}

// TestServe: serve listens on -addr and -metrics-addr, tells ready, and
// shuts down without error when its context ends; an address it cannot
// listen on is an error naming the flag.
func TestServe(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "served") })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := &config{addr: "127.0.0.1:0", metricsAddr: "127.0.0.1:0", policy: &policyFlags{guard: "standard"}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	addrs := make(chan net.Addr, 1)
	go func() {
		done <- serve(ctx, cfg, &app{handler: ok, metrics: ok}, logger, func(a net.Addr) { addrs <- a })
	}()
	addr := <-addrs
	resp, err := http.Get("http://" + addr.String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "served" {
		t.Errorf("got %q", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel = %v, want nil", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg.metricsAddr = ln.Addr().String() // taken
	err = serve(context.Background(), cfg, &app{handler: ok, metrics: ok}, logger, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "-metrics-addr:") {
		t.Fatalf("serve on a taken -metrics-addr = %v", err)
	}
}
