package twilio_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

// TestNewChecks: New refuses what cannot work, naming the Account's
// fields and the options, quoting no secret; plain http only to loopback.
func TestNewChecks(t *testing.T) {
	ok := twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}
	// c is what a case changes: the Account, and the options' values.
	type c struct {
		twilio.Account
		APIURL  string
		Timeout time.Duration
	}
	tests := []struct {
		name   string
		change func(*c)
		err    string // "" for accepted
	}{
		{"defaults", func(*c) {}, ""},
		{"https", func(c *c) { c.APIURL = "https://api.twilio.com/" }, ""},
		{"https with a path prefix", func(c *c) { c.APIURL = "https://proxy.example.com/twilio" }, ""},
		{"http to 127.0.0.1", func(c *c) { c.APIURL = "http://127.0.0.1:8080" }, ""},
		{"http to ::1", func(c *c) { c.APIURL = "http://[::1]:8080" }, ""},
		{"http to localhost", func(c *c) { c.APIURL = "http://localhost:8080" }, ""},
		{"short code", func(c *c) { c.From = "12345" }, ""},
		{"http to Twilio", func(c *c) { c.APIURL = "http://api.twilio.com" }, "WithAPIURL must be https (http only on loopback)"},
		{"http to a private address", func(c *c) { c.APIURL = "http://10.0.0.1" }, "WithAPIURL must be https"},
		{"http to a name like localhost", func(c *c) { c.APIURL = "http://localhost.example.com" }, "WithAPIURL must be https"},
		{"ftp", func(c *c) { c.APIURL = "ftp://127.0.0.1" }, "WithAPIURL must be https"},
		{"relative", func(c *c) { c.APIURL = "api.twilio.com" }, "WithAPIURL is not an absolute URL"},
		{"user info", func(c *c) { c.APIURL = "https://AC1:" + twiliotest.AuthToken + "@api.twilio.com" }, "WithAPIURL must not hold user information"},
		{"query", func(c *c) { c.APIURL = "https://api.twilio.com/?token=" + twiliotest.AuthToken }, "WithAPIURL must have neither query nor fragment"},
		{"bad port", func(c *c) { c.APIURL = "https://api.twilio.com:0" }, "WithAPIURL port"},
		{"token padded", func(c *c) { c.AuthToken = " " + twiliotest.AuthToken }, "Account.AuthToken has white space at an end"},
		{"token quoted", func(c *c) { c.AuthToken = `"` + twiliotest.AuthToken + `"` }, "Account.AuthToken is enclosed in quotes"},
		{"sender ID padded", func(c *c) { c.From = "Vcode " }, "Account.From has white space at an end"},
		{"sender ID with a space", func(c *c) { c.From = "Vcode Shop" }, ""},
		{"token not alphanumeric", func(c *c) { c.AuthToken = twiliotest.AuthToken + "!" }, "Account.AuthToken has characters other than letters and digits"},
		{"bad API key secret", func(c *c) {
			c.AuthToken, c.APIKey, c.APISecret = "", twiliotest.APIKey, twiliotest.APISecret+"/"
		}, "Account.APISecret has characters other than letters and digits"},
		{"negative timeout", func(c *c) { c.Timeout = -1 }, "WithTimeout"},
		{"long sender ID", func(c *c) { c.From = "VcodeVcodeVcode" }, "Account.From is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := c{Account: ok}
			tt.change(&cfg)
			n, err := twilio.New(cfg.Account, twilio.WithAPIURL(cfg.APIURL), twilio.WithTimeout(cfg.Timeout))
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				n.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("New = %v, want %q", err, tt.err)
			}
			if strings.Contains(err.Error(), twiliotest.AuthToken) || strings.Contains(err.Error(), twiliotest.APISecret) {
				t.Errorf("error quotes a secret: %v", err)
			}
		})
	}
}

// TestNewReportsEverything: New's one error names every problem, the
// Account's and the options', each on its own line.
func TestNewReportsEverything(t *testing.T) {
	_, err := twilio.New(twilio.Account{SID: "AC123", APIKey: "SK1"}, twilio.WithAPIURL("http://api.twilio.com"), twilio.WithTimeout(-time.Second))
	if err == nil {
		t.Fatal("New accepted it")
	}
	want := []string{
		"notify: twilio: Account.SID must be AC followed by 32 hex digits",
		"notify: twilio: Account.APIKey must be SK followed by 32 hex digits",
		"notify: twilio: Account.APIKey is set without Account.APISecret",
		"notify: twilio: no sender: give Account.From or Account.MessagingServiceSID",
		"notify: twilio: WithAPIURL must be https (http only on loopback), got http://api.twilio.com",
		"notify: twilio: WithTimeout -1s is negative",
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("error:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != len(want) {
		t.Errorf("not one error per problem: %#v", err)
	}
}

// TestZeroOptionsAreDefaults: WithAPIURL("") and WithTimeout(0) mean the
// defaults, as giving no option does.
func TestZeroOptionsAreDefaults(t *testing.T) {
	ok := twilio.Account{SID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}
	for _, opts := range [][]twilio.Option{nil, {twilio.WithAPIURL(""), twilio.WithTimeout(0)}} {
		n, err := twilio.New(ok, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(n.String(), "via api.twilio.com") {
			t.Errorf("String() = %q, want the default API host", n)
		}
		n.Close()
	}
}
