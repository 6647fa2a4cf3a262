package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestGuardPins: -guard-block refuses a prefix even with the guard off
// (VCODE_GUARD_BLOCK alike), other prefixes go through, and a malformed
// prefix stops the start with an error naming it, as does -guard-allow
// with the guard off.
func TestGuardPins(t *testing.T) {
	for name, tt := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"flags":       {[]string{"-tokens", "tok", "-guard", "off", "-guard-block", "+86137,+1900"}, nil},
		"environment": {[]string{"-tokens", "tok"}, map[string]string{"VCODE_GUARD": "off", "VCODE_GUARD_BLOCK": "+86137"}},
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t, tt.args, tt.env)
			sendURL := s.url + "/v1/usg/dcs/member/verification-code"
			if resp, body := post(t, sendURL, "tok", `{"contact":"+8613712345678"}`); resp.StatusCode != 403 || !strings.Contains(body, "USG.201060008") {
				t.Fatalf("a blocked prefix: %d %s", resp.StatusCode, body)
			}
			if resp, body := post(t, sendURL, "tok", `{"contact":"+8613812345678"}`); resp.StatusCode != 200 {
				t.Fatalf("an allowed prefix: %d %s", resp.StatusCode, body)
			}
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			if logs := s.stderr.String(); !strings.Contains(logs, "guard=off") {
				t.Errorf("the start line does not say guard=off:\n%s", logs)
			}
		})
	}
	// An Allow pin with the guard off would do nothing: refused, not
	// silently ignored.
	if _, err := runOnce(t, []string{"-tokens", "tok", "-guard", "off", "-guard-allow", "+86138"}, nil); err == nil || !strings.Contains(err.Error(), "GuardOff") {
		t.Fatalf("-guard off with -guard-allow: %v", err)
	}
	_, err := runOnce(t, []string{"-tokens", "tok", "-guard-block", "86137"}, nil)
	if err == nil || !strings.Contains(err.Error(), `"86137"`) {
		t.Fatalf("a prefix without +: %v", err)
	}
}

// TestGuardLogsBlocks: unverified sends to one prefix beyond the standard
// guard's base (20) are refused, and the log names the prefix once, at
// the block's start.
func TestGuardLogsBlocks(t *testing.T) {
	s := start(t, []string{"-tokens", "tok", "-limit-subject-send", "off", "-limit-ip-send", "off"}, nil)
	sendURL := s.url + "/v1/usg/dcs/member/verification-code"
	for i := range 23 {
		resp, body := post(t, sendURL, "tok", fmt.Sprintf(`{"contact":"+86138000000%02d"}`, i))
		switch {
		case i < 20 && resp.StatusCode != 200:
			t.Fatalf("send %d: %d %s", i+1, resp.StatusCode, body)
		case i >= 20 && (resp.StatusCode != 403 || !strings.Contains(body, "USG.201060008")):
			t.Fatalf("send %d, beyond the base: %d %s, want 403 USG.201060008", i+1, resp.StatusCode, body)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	logs := s.stderr.String()
	if n := strings.Count(logs, "sms pumping guard blocked a destination prefix"); n != 1 || !strings.Contains(logs, "prefix=+86138") {
		t.Fatalf("%d block lines, want one naming +86138:\n%s", n, logs)
	}
}

// TestGuardSafeListFlag: with -guard-safe-list (VCODE_GUARD_SAFE_LIST
// alike) a number whose code was verified passes its prefix's spent
// allowance once; without it, it is refused like any other.
func TestGuardSafeListFlag(t *testing.T) {
	base := []string{"-tokens", "tok", "-limit-subject-send", "off", "-limit-ip-send", "off", "-limit-cooldown", "0"}
	for name, tt := range map[string]struct {
		args []string
		env  map[string]string
		want int
	}{
		"off by default": {base, nil, 403},
		"flag":           {append(base, "-guard-safe-list"), nil, 200},
		"environment":    {base, map[string]string{"VCODE_GUARD_SAFE_LIST": "true"}, 200},
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t, tt.args, tt.env)
			sendURL := s.url + "/v1/usg/dcs/member/verification-code"
			const known = "+8613800000099"
			if resp, body := post(t, sendURL, "tok", `{"contact":"`+known+`"}`); resp.StatusCode != 200 {
				t.Fatalf("first send: %d %s", resp.StatusCode, body)
			}
			code := lastCode(t, s.stdout.String(), known)
			if resp, body := post(t, sendURL+"/verify", "tok", `{"contact":"`+known+`","verificationCode":"`+code+`"}`); resp.StatusCode != 200 {
				t.Fatalf("verify: %d %s", resp.StatusCode, body)
			}
			// The standard base: 20 unverified sends, then the prefix is spent.
			for i := range 21 {
				resp, _ := post(t, sendURL, "tok", fmt.Sprintf(`{"contact":"+86138000000%02d"}`, i))
				if want := map[bool]int{true: 200, false: 403}[i < 20]; resp.StatusCode != want {
					t.Fatalf("send %d: %d, want %d", i+1, resp.StatusCode, want)
				}
			}
			if resp, body := post(t, sendURL, "tok", `{"contact":"`+known+`"}`); resp.StatusCode != tt.want {
				t.Fatalf("the verified number on the spent prefix: %d %s, want %d", resp.StatusCode, body, tt.want)
			}
			// Its next send does not pass (a pass takes the mark; the
			// contact's provider calls, 2 a minute, may refuse it first).
			if resp, _ := post(t, sendURL, "tok", `{"contact":"`+known+`"}`); resp.StatusCode == 200 {
				t.Fatal("its next send went through: a pass takes the mark")
			}
		})
	}
}
