package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
)

// TestVersion: -version prints the version and exits without serving;
// the linker's version wins over the build information's.
func TestVersion(t *testing.T) {
	for _, linked := range []string{"", "v9.8.7"} {
		t.Run("linked="+linked, func(t *testing.T) {
			defer func(old string) { version = old }(version)
			version = linked
			var stdout bytes.Buffer
			served := false
			err := run(context.Background(), []string{"-version", "-addr", "127.0.0.1:0"}, func(string) string { return "" }, &stdout, io.Discard, func(net.Addr) { served = true })
			if err != nil || served {
				t.Fatalf("run: %v, served %v; want nil, not served", err, served)
			}
			want := "vcoded " + buildVersion() + " " + runtime.Version()
			if !strings.HasPrefix(stdout.String(), want) {
				t.Fatalf("printed %q, want it to start with %q", stdout.String(), want)
			}
			if linked != "" && buildVersion() != linked {
				t.Fatalf("buildVersion %q, want the linker's %q", buildVersion(), linked)
			}
		})
	}
}

// TestLogFormatJSON: with -log-format json every line on standard error
// is one JSON object, the request lines and vcoded's own alike, the
// generated token's included; a token or code never appears.
func TestLogFormatJSON(t *testing.T) {
	for _, via := range []string{"flag", "env"} {
		t.Run(via, func(t *testing.T) {
			var args []string
			env := map[string]string{}
			if via == "flag" {
				args = []string{"-log-format", "json"}
			} else {
				env["VCODE_LOG_FORMAT"] = "json"
			}
			s := start(t, args, env)
			var token string
			lines := jsonLines(t, s.stderr.String())
			for _, l := range lines {
				if l["msg"] == "no -tokens given; generated access token" {
					token, _ = l["token"].(string)
				}
			}
			if len(token) != 32 {
				t.Fatalf("no generated token in the JSON lines:\n%s", s.stderr)
			}
			resp, _ := post(t, s.url+verifyPath, token, `{"contact":"+8613612345678","country":"chinaPR","verificationCode":"000000"}`)
			if resp.StatusCode != 400 {
				t.Fatalf("verify: %d", resp.StatusCode)
			}
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			msgs := map[string]map[string]any{}
			for _, l := range jsonLines(t, s.stderr.String()) {
				msgs[l["msg"].(string)] = l
			}
			req, ok := msgs["vcode request"]
			if !ok || req["status"] != float64(400) || req["level"] != "INFO" {
				t.Fatalf("request line %v, want status 400 at INFO", req)
			}
			if l, ok := msgs["vcoded listening"]; !ok || l["version"] != buildVersion() {
				t.Fatalf("start line %v, want the version in it", l)
			}
			if _, ok := msgs["vcoded shutting down"]; !ok {
				t.Fatal("no shutdown line")
			}
			if strings.Count(s.stderr.String(), token) != 1 {
				t.Fatal("the token is logged beyond the line that announces it")
			}
		})
	}
}

// jsonLines parses every line of out as a JSON object with a message.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		if _, ok := m["msg"].(string); !ok {
			t.Fatalf("a JSON line without msg: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	return lines
}

// TestLogFormatBad: an unknown format stops vcoded with an error naming
// the flag, whether given as a flag or in the environment.
func TestLogFormatBad(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"-log-format", "xml"}, nil},
		{[]string{"-log-format", "JSON "}, nil},
		{nil, map[string]string{"VCODE_LOG_FORMAT": "logfmt"}},
	} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, c.args...), func(k string) string { return c.env[k] }, io.Discard, io.Discard, func(net.Addr) { t.Error("served") })
		if err == nil || !strings.Contains(err.Error(), "-log-format (VCODE_LOG_FORMAT)") {
			t.Errorf("%v %v: error %v, want one naming -log-format", c.args, c.env, err)
		}
	}
}
