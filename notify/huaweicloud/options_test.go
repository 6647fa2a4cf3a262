package huaweicloud_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/notify/huaweicloud"
)

const secret = "q4Ii87BhST9vcs8wvrzN80SfD7Al"

// validApp is an App New accepts.
func validApp() huaweicloud.App {
	return huaweicloud.App{
		URL:        "https://smsapi.cn-north-4.myhuaweicloud.com:443",
		AppKey:     "c8RWg3ggEcyd4D3p94bf3Y7x1Ile",
		AppSecret:  secret,
		Sender:     "csms12345678",
		TemplateID: "8ff55eac1d0b478ab3c06c3c6a492300",
	}
}

// No error of New quotes the secret, whatever else is wrong.
func TestNewErrorsHoldNoSecret(t *testing.T) {
	_, err := huaweicloud.New(huaweicloud.App{URL: "http://example.com", AppKey: `"`, AppSecret: secret},
		huaweicloud.WithTemplates(map[string]string{"??": "x"}))
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("err = %v", err)
	}
}

// New reports every problem at once, one line each, naming the App's
// fields and the options.
func TestNewNamesFieldsAndOptions(t *testing.T) {
	app := validApp()
	app.URL, app.Sender = "http://smsapi.example.com", ""
	_, err := huaweicloud.New(app,
		huaweicloud.WithTemplates(map[string]string{"en": strings.Repeat("a", 33)}),
		huaweicloud.WithSignature("a\x01b"), huaweicloud.WithStatusCallback("/report"), huaweicloud.WithTimeout(-time.Second))
	want := []string{
		"notify: huaweicloud: App.URL must be https (http only on a loopback host)",
		"notify: huaweicloud: App.Sender must be 1 to 21 printable characters without white space or enclosing quotes (the channel number)",
		"notify: huaweicloud: WithTemplates has a template that must be 1 to 32 printable characters without white space or enclosing quotes (language en)",
		"notify: huaweicloud: WithSignature has a control character",
		"notify: huaweicloud: WithStatusCallback is not an absolute http or https URL (without white space)",
		"notify: huaweicloud: WithTimeout is negative",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("error:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != len(want) {
		t.Errorf("not one error per problem: %#v", err)
	}
}

// The options' zero values are their defaults: New accepts them as it
// accepts no option.
func TestZeroOptionsAreDefaults(t *testing.T) {
	for _, opts := range [][]huaweicloud.Option{nil, {
		huaweicloud.WithTemplates(nil), huaweicloud.WithSignature(""), huaweicloud.WithStatusCallback(""),
		huaweicloud.WithTimeout(0), huaweicloud.WithClient(nil),
	}} {
		n, err := huaweicloud.New(validApp(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		if want := "huaweicloud: Message & SMS at smsapi.cn-north-4.myhuaweicloud.com:443, sender csms12345678, 1 template(s)"; n.String() != want {
			t.Errorf("String() = %q, want %q", n, want)
		}
		n.Close()
	}
}
