package i18n

import (
	"strings"
	"testing"
	"time"
)

// TestCatalogComplete fails when a key is missing from a language or a
// language has a key nobody uses.
func TestCatalogComplete(t *testing.T) {
	want := append(Keys(), smsText, emailSubject, emailBody)
	for _, l := range Languages() {
		texts := catalogTexts[l]
		if len(texts) != len(want) {
			t.Errorf("%s has %d texts, want %d", l, len(texts), len(want))
		}
		for _, k := range want {
			if len(texts[k]) == 0 {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
}

// TestMessagesLocalised checks that every message comes from the catalog in
// its own language: not the key echoed back, and not the other language.
func TestMessagesLocalised(t *testing.T) {
	for _, k := range Keys() {
		zh, en := ZhCN.Message(k), EnUS.Message(k)
		if zh == string(k) || en == string(k) || zh == "" || en == "" {
			t.Errorf("%q not found in the catalog: zh=%q en=%q", k, zh, en)
		}
		if zh == en {
			t.Errorf("%q is not translated: %q", k, zh)
		}
		if !hasHan(zh) {
			t.Errorf("%q zh-CN text has no Chinese: %q", k, zh)
		}
		if hasHan(en) {
			t.Errorf("%q en-US text has Chinese: %q", k, en)
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestCodeTexts(t *testing.T) {
	tests := []struct {
		lang     Language
		validity time.Duration
		want     string
	}{
		{ZhCN, time.Minute, "您的验证码为753927，1分钟内有效。请勿将验证码告知他人。"},
		{EnUS, time.Minute, "Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone."},
		{EnUS, 5 * time.Minute, "Your verification code is 753927. It is valid for 5 minutes. Do not share it with anyone."},
		{EnUS, 90 * time.Second, "Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone."},
		{EnUS, 10 * time.Second, "Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone."},
	}
	for _, tt := range tests {
		if got := tt.lang.SMS("753927", tt.validity); got != tt.want {
			t.Errorf("%s SMS(%v) = %q, want %q", tt.lang, tt.validity, got, tt.want)
		}
	}
	for _, l := range Languages() {
		body := l.EmailBody("753927", 10*time.Minute)
		if !strings.Contains(body, "753927") || !strings.Contains(body, "10") {
			t.Errorf("%s email body lacks code or validity: %q", l, body)
		}
		if l.EmailSubject() == "" || l.EmailSubject() == string(emailSubject) {
			t.Errorf("%s email subject missing", l)
		}
	}
	if ZhCN.EmailSubject() == EnUS.EmailSubject() {
		t.Error("email subject not translated")
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		header string
		want   Language
	}{
		{"", ZhCN},
		{"zh-CN", ZhCN},
		{"en-US", EnUS},
		{"en", EnUS},
		{"en-GB", EnUS},
		{"en-GB,en;q=0.9", EnUS},
		{"fr-FR,en;q=0.5", EnUS},
		{"zh-CN,zh;q=0.9,en;q=0.8", ZhCN},
		{"en-US;q=0.5,zh-CN;q=0.9", ZhCN},
		{"fr", ZhCN},
		{"de-CH", ZhCN},
		{"zh-TW", ZhCN},
		{"*", ZhCN},
		{";;;,,,=", ZhCN},
		{"\x00\xff", ZhCN},
		{strings.Repeat("en-US,", 2000), EnUS},
		{strings.Repeat("x", 10000), ZhCN},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.header); got != tt.want {
			t.Errorf("Negotiate(%.40q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

func TestLanguageString(t *testing.T) {
	if ZhCN.String() != "zh-CN" || EnUS.String() != "en-US" || Language(9).String() != "zh-CN" {
		t.Fatal("String")
	}
	if ZhCN.Tag().String() != "zh-CN" || EnUS.Tag().String() != "en-US" || Language(9).Tag() != ZhCN.Tag() {
		t.Fatal("Tag")
	}
	if Language(9).Message(WrongCode) != ZhCN.Message(WrongCode) {
		t.Fatal("out-of-range language does not fall back to zh-CN")
	}
}
