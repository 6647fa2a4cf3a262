package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/httpmw"
)

// rawPost sends one verify request over a fresh connection and returns
// the response exactly as it came off the wire.
func rawPost(t *testing.T, base, path, body string) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := "POST " + path + " HTTP/1.1\r\nHost: load\r\nContent-Type: application/json\r\nX-Access-Token: " + token +
		"\r\nContent-Length: " + itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	// It parses as one response.
	if _, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil); err != nil {
		t.Fatalf("%v:\n%s", err, raw)
	}
	return raw
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// What may differ between two answers of the attack path: the date, the
// request id (in the header and the body), and the seconds to wait.
var (
	reDate  = regexp.MustCompile(`\r\nDate: [^\r]+\r\n`)
	reID    = regexp.MustCompile(`[0-9a-f]{32}`)
	reRetry = regexp.MustCompile(`\r\nRetry-After: [0-9]+\r\n`)
)

func normalise(raw []byte) string {
	s := reDate.ReplaceAllString(string(raw), "\r\nDate: D\r\n")
	s = reID.ReplaceAllString(s, "ID")
	return reRetry.ReplaceAllString(s, "\r\nRetry-After: N\r\n")
}

// TestSameBytes checks that the ceiling writes what cmd/vcoded, as
// shipped, writes on the attack path, byte for byte but for the values of
// the date, the request id and the Retry-After seconds (the lengths are
// checked through Content-Length; the ceiling's "60" is what a fresh
// refusal says, and fewer digits only in a window's last ten seconds).
func TestSameBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/vcoded")
	}
	url, _, stop, err := startVcoded(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	body := `{"contact":"` + phone(0) + `","country":"chinaPR","verificationCode":"000000"}`
	var vcoded []byte
	for i := 0; i < 20; i++ { // the default limit is 5 attempts a minute
		raw := rawPost(t, url, httpmw.VerifyPath, body)
		if bytes.HasPrefix(raw, []byte("HTTP/1.1 429 ")) {
			vcoded = raw
			break
		}
	}
	if vcoded == nil {
		t.Fatal("cmd/vcoded never answered 429")
	}
	ceilingURL, stopCeiling, err := serve(sameBytes{})
	if err != nil {
		t.Fatal(err)
	}
	defer stopCeiling()
	ceiling := rawPost(t, ceilingURL, "/", body)
	if got, want := normalise(ceiling), normalise(vcoded); got != want {
		t.Errorf("the ceiling's answer differs from cmd/vcoded's:\nceiling:\n%s\nvcoded:\n%s", got, want)
	}
	// The id is fresh, and the same in the header and the body.
	ids := reID.FindAllString(string(ceiling), -1)
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Errorf("request ids in the ceiling's answer: %q", ids)
	}
	if again := reID.FindString(string(rawPost(t, ceilingURL, "/", body))); again == ids[0] {
		t.Errorf("the ceiling repeated request id %s", again)
	}
}
