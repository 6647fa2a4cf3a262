package i18n

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/language"
)

// TestBuiltinCatalogComplete fails when a key is missing from a built-in
// language or a language has a key nobody uses.
func TestBuiltinCatalogComplete(t *testing.T) {
	want := append(Keys(), textKeys...)
	for l, texts := range catalogTexts {
		if len(texts) != len(want) {
			t.Errorf("%v has %d texts, want %d", builtinTags[l], len(texts), len(want))
		}
		for _, k := range want {
			if len(texts[k]) == 0 {
				t.Errorf("%v lacks %q", builtinTags[l], k)
			}
		}
	}
}

// TestErrorsLocalised checks that every Key has a message in every built-in
// language, from the catalog in its own language: not the key echoed back,
// and not the other language.
func TestErrorsLocalised(t *testing.T) {
	c := Default()
	for _, k := range Keys() {
		zh, en := c.Error(ZhCN, k), c.Error(EnUS, k)
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
	for _, tag := range []language.Tag{ZhCN, EnUS} {
		texts, ok := Builtin(tag)
		if !ok || len(texts.Errors) != len(Keys()) {
			t.Errorf("Builtin(%v) = %d errors, %v", tag, len(texts.Errors), ok)
		}
		for _, k := range Keys() {
			if texts.Errors[k] != c.Error(tag, k) {
				t.Errorf("Builtin(%v).Errors[%q] = %q, catalog has %q", tag, k, texts.Errors[k], c.Error(tag, k))
			}
		}
	}
	if got := c.Error(EnUS, Key("nope")); got != "nope" {
		t.Errorf("unknown key = %q, want the key", got)
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

const (
	zhBody = "您好：\n\n您的验证码为753927，%d分钟内有效。\n\n请勿将验证码告知他人。如果这不是您本人的操作，请忽略本邮件。\n"
	enBody = "Hello,\n\nYour verification code is 753927. It is valid for %s.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n"
)

// TestBuiltinUnbranded: without a brand the texts are byte for byte those of
// vcode before branding, which other packages' tests compare.
func TestBuiltinUnbranded(t *testing.T) {
	tests := []struct {
		tag             language.Tag
		validity        time.Duration
		sms, subj, body string
	}{
		{ZhCN, time.Minute, "您的验证码为753927，1分钟内有效。请勿将验证码告知他人。", "您的验证码", fmt.Sprintf(zhBody, 1)},
		{ZhCN, 5 * time.Minute, "您的验证码为753927，5分钟内有效。请勿将验证码告知他人。", "您的验证码", fmt.Sprintf(zhBody, 5)},
		{ZhCN, 90 * time.Second, "您的验证码为753927，1分钟内有效。请勿将验证码告知他人。", "您的验证码", fmt.Sprintf(zhBody, 1)},
		{EnUS, time.Minute, "Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone.", "Your verification code", fmt.Sprintf(enBody, "1 minute")},
		{EnUS, 5 * time.Minute, "Your verification code is 753927. It is valid for 5 minutes. Do not share it with anyone.", "Your verification code", fmt.Sprintf(enBody, "5 minutes")},
		{EnUS, 90 * time.Second, "Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone.", "Your verification code", fmt.Sprintf(enBody, "1 minute")},
		{EnUS, 10 * time.Second, "Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone.", "Your verification code", fmt.Sprintf(enBody, "1 minute")},
		{EnUS, 10 * time.Minute, "Your verification code is 753927. It is valid for 10 minutes. Do not share it with anyone.", "Your verification code", fmt.Sprintf(enBody, "10 minutes")},
	}
	c := Default()
	for _, tt := range tests {
		d := Data{Code: "753927", Validity: tt.validity, Purpose: "login"}
		if got := c.SMS(tt.tag, d); got != tt.sms {
			t.Errorf("%v SMS(%v) = %q, want %q", tt.tag, tt.validity, got, tt.sms)
		}
		if got := c.EmailSubject(tt.tag, d); got != tt.subj {
			t.Errorf("%v EmailSubject = %q, want %q", tt.tag, got, tt.subj)
		}
		if got := c.EmailBody(tt.tag, d); got != tt.body {
			t.Errorf("%v EmailBody(%v) = %q, want %q", tt.tag, tt.validity, got, tt.body)
		}
	}
}

func TestBuiltinBranded(t *testing.T) {
	tests := []struct {
		tag             language.Tag
		minutes         int
		sms, subj, body string
	}{
		{ZhCN, 1, "【Acme】您的验证码为123456，1分钟内有效。请勿将验证码告知他人。", "【Acme】您的验证码",
			"您好：\n\n您的Acme验证码为123456，1分钟内有效。\n\n请勿将验证码告知他人。如果这不是您本人的操作，请忽略本邮件。\n"},
		{ZhCN, 5, "【Acme】您的验证码为123456，5分钟内有效。请勿将验证码告知他人。", "【Acme】您的验证码",
			"您好：\n\n您的Acme验证码为123456，5分钟内有效。\n\n请勿将验证码告知他人。如果这不是您本人的操作，请忽略本邮件。\n"},
		{EnUS, 1, "[Acme] Your verification code is 123456. It is valid for 1 minute. Do not share it with anyone.", "Your Acme verification code",
			"Hello,\n\nYour Acme verification code is 123456. It is valid for 1 minute.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n"},
		{EnUS, 5, "[Acme] Your verification code is 123456. It is valid for 5 minutes. Do not share it with anyone.", "Your Acme verification code",
			"Hello,\n\nYour Acme verification code is 123456. It is valid for 5 minutes.\n\nDo not share it with anyone. If you did not ask for it, you can ignore this email.\n"},
	}
	c := Default()
	for _, tt := range tests {
		d := Data{Code: "123456", Minutes: tt.minutes, Validity: time.Duration(tt.minutes) * time.Minute, Brand: "Acme"}
		if got := c.SMS(tt.tag, d); got != tt.sms {
			t.Errorf("%v SMS = %q, want %q", tt.tag, got, tt.sms)
		}
		if got := c.EmailSubject(tt.tag, d); got != tt.subj {
			t.Errorf("%v EmailSubject = %q, want %q", tt.tag, got, tt.subj)
		}
		if got := c.EmailBody(tt.tag, d); got != tt.body {
			t.Errorf("%v EmailBody = %q, want %q", tt.tag, got, tt.body)
		}
	}
	// A brand is an argument, never a format: a % in it is printed as is.
	if got := c.SMS(EnUS, Data{Code: "1", Minutes: 1, Brand: "100%s"}); !strings.HasPrefix(got, "[100%s] ") {
		t.Errorf("brand with a verb: %q", got)
	}
}

var (
	jaJP = language.MustParse("ja-JP")
	frFR = language.MustParse("fr-FR")
)

// textsFor returns valid texts marked with name, in its own words.
func textsFor(t *testing.T, name string) Texts {
	t.Helper()
	parse := func(src string) Template {
		tmpl, err := ParseTemplate(src)
		if err != nil {
			t.Fatal(err)
		}
		return tmpl
	}
	texts := Texts{
		SMS:          parse(name + " SMS {{.Code}}"),
		EmailSubject: parse(name + " subject"),
		EmailBody:    parse(name + " body {{.Code}}"),
		Errors:       map[Key]string{},
	}
	for _, k := range Keys() {
		texts.Errors[k] = name + " " + string(k)
	}
	return texts
}

// catalogs builds the catalogs of the negotiation tests: Default, with
// ja-JP added, and with en-US the default.
func catalogs(t *testing.T) (def, ja, en *Catalog) {
	t.Helper()
	def = Default()
	ja, err := def.With(jaJP, textsFor(t, "ja"))
	if err != nil {
		t.Fatal(err)
	}
	en, err = def.WithDefault(EnUS)
	if err != nil {
		t.Fatal(err)
	}
	return def, ja, en
}

func TestNegotiate(t *testing.T) {
	def, ja, en := catalogs(t)
	tests := []struct {
		header      string
		def, ja, en language.Tag // the choice of each catalog
	}{
		{"", ZhCN, ZhCN, EnUS},
		{"zh-CN", ZhCN, ZhCN, ZhCN},
		{"zh", ZhCN, ZhCN, ZhCN},
		{"zh-CN,zh;q=0.9", ZhCN, ZhCN, ZhCN},
		{"en-US", EnUS, EnUS, EnUS},
		{"en", EnUS, EnUS, EnUS},
		{"en-US,en;q=0.9", EnUS, EnUS, EnUS},
		{"en-GB", EnUS, EnUS, EnUS},
		{"en-US;q=0.8", EnUS, EnUS, EnUS},
		{"en-GB,en;q=0.9", EnUS, EnUS, EnUS},
		{"fr-FR,en;q=0.5", EnUS, EnUS, EnUS},
		{"da, en-gb;q=0.8, en;q=0.7", EnUS, EnUS, EnUS},
		{"zh-CN,zh;q=0.9,en;q=0.8", ZhCN, ZhCN, ZhCN},
		{"en-US;q=0.5,zh-CN;q=0.9", ZhCN, ZhCN, ZhCN},
		{"ja", ZhCN, jaJP, EnUS},
		{"ja-JP", ZhCN, jaJP, EnUS},
		{"ja-JP;q=0.9,en;q=0.5", EnUS, jaJP, EnUS},
		{"en;q=0.5,ja-JP;q=0.9", EnUS, jaJP, EnUS},
		{"fr", ZhCN, ZhCN, EnUS},
		{"de-CH", ZhCN, ZhCN, EnUS},
		{"zh-TW", ZhCN, ZhCN, ZhCN},
		{"*", ZhCN, ZhCN, EnUS},
		{";;;,,,=", ZhCN, ZhCN, EnUS},
		{"\x00\xff", ZhCN, ZhCN, EnUS},
		{strings.Repeat("en-US,", 2000), EnUS, EnUS, EnUS},
		{strings.Repeat("ja,", 2000), ZhCN, jaJP, EnUS},
		{strings.Repeat("x", 10000), ZhCN, ZhCN, EnUS},
		{strings.Repeat("fr,", 100) + "en", ZhCN, ZhCN, EnUS}, // en beyond the first 256 bytes
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name string
			cat  *Catalog
			want language.Tag
		}{{"Default", def, tt.def}, {"with ja-JP", ja, tt.ja}, {"en-US default", en, tt.en}} {
			if got := c.cat.Negotiate(tt.header); got != c.want {
				t.Errorf("%s: Negotiate(%.40q) = %v, want %v", c.name, tt.header, got, c.want)
			}
			// The table of common headers agrees with the full negotiation.
			if len(tt.header) <= maxAcceptLanguage {
				if got := c.cat.tags[c.cat.negotiate(tt.header)]; got != c.want {
					t.Errorf("%s: negotiate(%.40q) = %v, want %v", c.name, tt.header, got, c.want)
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	def, ja, en := catalogs(t)
	tests := []struct {
		tag         language.Tag
		def, ja, en language.Tag
	}{
		{language.Und, ZhCN, ZhCN, EnUS},
		{language.Tag{}, ZhCN, ZhCN, EnUS},
		{ZhCN, ZhCN, ZhCN, ZhCN},
		{EnUS, EnUS, EnUS, EnUS},
		{language.English, EnUS, EnUS, EnUS},
		{language.BritishEnglish, EnUS, EnUS, EnUS},
		{language.Chinese, ZhCN, ZhCN, ZhCN},
		{language.SimplifiedChinese, ZhCN, ZhCN, ZhCN},
		{language.Japanese, ZhCN, jaJP, EnUS},
		{jaJP, ZhCN, jaJP, EnUS},
		{language.French, ZhCN, ZhCN, EnUS},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name string
			cat  *Catalog
			want language.Tag
		}{{"Default", def, tt.def}, {"with ja-JP", ja, tt.ja}, {"en-US default", en, tt.en}} {
			if got := c.cat.Match(tt.tag); got != c.want {
				t.Errorf("%s: Match(%v) = %v, want %v", c.name, tt.tag, got, c.want)
			}
		}
	}
	if got := def.Error(language.Und, WrongCode); got != "验证码错误或已失效。" {
		t.Errorf("Error(Und) = %q", got)
	}
	if got := def.Error(language.English, WrongCode); got != "The verification code is wrong or has expired." {
		t.Errorf("Error(English) = %q", got)
	}
	if got := ja.SMS(language.Japanese, Data{Code: "42"}); got != "ja SMS 42" {
		t.Errorf("ja SMS = %q", got)
	}
}

func TestWithDefault(t *testing.T) {
	_, ja, _ := catalogs(t)
	jaDef, err := ja.WithDefault(jaJP)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(jaDef.Languages()), "[ja-JP zh-CN en-US]"; got != want {
		t.Errorf("Languages = %s, want %s", got, want)
	}
	for _, h := range []string{"", "fr", "*"} {
		if got := jaDef.Negotiate(h); got != jaJP {
			t.Errorf("Negotiate(%q) = %v, want ja-JP", h, got)
		}
	}
	if got := jaDef.Error(language.Und, WrongCode); got != "ja wrong_code" {
		t.Errorf("Error(Und) = %q", got)
	}
	for _, tag := range []language.Tag{frFR, language.English, language.Und} {
		if _, err := Default().WithDefault(tag); err == nil {
			t.Errorf("WithDefault(%v) accepted a language the catalog lacks", tag)
		}
	}
}

// TestWithRefuses: With refuses incomplete or broken texts, naming the
// language and the field; nothing silently falls back.
func TestWithRefuses(t *testing.T) {
	noCode, err := ParseTemplate("Your code is ready, valid {{.Minutes}} min.")
	if err != nil {
		t.Fatal(err)
	}
	brandOnly, err := ParseTemplate(`{{if .Brand}}{{.Code}}{{else}}no code{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	fiveOnly, err := ParseTemplate(`{{if eq .Minutes 1}}soon{{else}}{{.Code}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		tag   language.Tag
		edit  func(*Texts)
		field string // what the error must mention
	}{
		{"no SMS", jaJP, func(x *Texts) { x.SMS = nil }, "SMS"},
		{"no subject", jaJP, func(x *Texts) { x.EmailSubject = nil }, "EmailSubject"},
		{"no body", jaJP, func(x *Texts) { x.EmailBody = nil }, "EmailBody"},
		{"SMS without the code", jaJP, func(x *Texts) { x.SMS = noCode }, "SMS"},
		{"body without the code", jaJP, func(x *Texts) { x.EmailBody = noCode }, "EmailBody"},
		{"code only when branded", jaJP, func(x *Texts) { x.SMS = brandOnly }, `Brand ""`},
		{"code only for 5 minutes", jaJP, func(x *Texts) { x.EmailBody = fiveOnly }, "Minutes 1"},
		{"empty subject", jaJP, func(x *Texts) { x.EmailSubject = func(Data) string { return " " } }, "EmailSubject"},
		{"two-line subject", jaJP, func(x *Texts) { x.EmailSubject = func(Data) string { return "a\r\nBcc: x" } }, "EmailSubject"},
		{"panicking SMS", jaJP, func(x *Texts) { x.SMS = func(Data) string { panic("boom") } }, "panics: boom"},
		{"no errors", jaJP, func(x *Texts) { x.Errors = nil }, "Errors"},
		{"missing key", jaJP, func(x *Texts) { delete(x.Errors, WrongCode) }, `"wrong_code"`},
		{"empty message", jaJP, func(x *Texts) { x.Errors[Internal] = "" }, `"internal"`},
		{"blank message", jaJP, func(x *Texts) { x.Errors[Forbidden] = " \n" }, `"forbidden"`},
		{"unknown key", jaJP, func(x *Texts) { x.Errors["wrong-code"] = "typo" }, `"wrong-code"`},
		{"replacing a built-in with a hole", EnUS, func(x *Texts) { x.SMS = nil }, "SMS"},
		{"zero tag", language.Und, func(*Texts) {}, "language tag"},
	}
	for _, tt := range tests {
		texts := textsFor(t, "ja")
		tt.edit(&texts)
		c, err := Default().With(tt.tag, texts)
		if err == nil || c != nil {
			t.Errorf("%s: With = %v, %v; want an error", tt.name, c, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: error %q does not mention %s", tt.name, err, tt.field)
		}
		if tt.tag != language.Und && !strings.Contains(err.Error(), tt.tag.String()) {
			t.Errorf("%s: error %q does not name the language", tt.name, err)
		}
	}
}

func TestParseTemplate(t *testing.T) {
	tmpl, err := ParseTemplate(`{{with .Brand}}[{{.}}] {{end}}Code {{.Code}} for {{or .Purpose "you"}}, valid {{.Minutes}} {{if eq .Minutes 1}}minute{{else}}minutes{{end}} ({{.Validity}}).`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		d    Data
		want string
	}{
		{Data{Code: "1", Minutes: 1, Validity: time.Minute}, "Code 1 for you, valid 1 minute (1m0s)."},
		{Data{Code: "2", Minutes: 5, Validity: 5 * time.Minute, Brand: "Acme", Purpose: "login"}, "[Acme] Code 2 for login, valid 5 minutes (5m0s)."},
		{Data{Code: "<&>", Minutes: 2, Validity: 150 * time.Second}, "Code <&> for you, valid 2 minutes (2m30s)."},
	}
	for _, tt := range tests {
		if got := tmpl(tt.d); got != tt.want {
			t.Errorf("template(%+v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	// The catalog fills Minutes in from Validity, rounded down.
	c, err := Default().With(jaJP, Texts{SMS: tmpl, EmailSubject: tmpl, EmailBody: tmpl, Errors: textsFor(t, "ja").Errors})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.SMS(jaJP, Data{Code: "3", Validity: 119 * time.Second}), "Code 3 for you, valid 1 minute (1m59s)."; got != want {
		t.Errorf("SMS = %q, want %q", got, want)
	}

	for _, src := range []string{"{{.Code", "{{.Nope}}", "{{.Code.Nope}}", "{{template \"x\"}}"} {
		if _, err := ParseTemplate(src); err == nil {
			t.Errorf("ParseTemplate(%q) accepted", src)
		}
	}
	// An error only some Data meet gives "".
	failing, err := ParseTemplate(`{{.Code}}{{if eq .Purpose "x"}}{{index .Code 99}}{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := failing(Data{Code: "1", Purpose: "x"}); got != "" {
		t.Errorf("failing template = %q, want \"\"", got)
	}
}

// TestCatalogImmutable: With and WithDefault return copies, and neither the
// caller's maps nor the slices a catalog hands out reach into it.
func TestCatalogImmutable(t *testing.T) {
	def := Default()
	before := fmt.Sprint(def.Languages())
	texts := textsFor(t, "ja")
	ja, err := def.With(jaJP, texts)
	if err != nil {
		t.Fatal(err)
	}
	replaced, err := ja.With(EnUS, textsFor(t, "en2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ja.WithDefault(jaJP); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(def.Languages()); got != before || got != "[zh-CN en-US]" {
		t.Errorf("Default().Languages() = %s after With, was %s", got, before)
	}
	if got := fmt.Sprint(ja.Languages()); got != "[zh-CN en-US ja-JP]" {
		t.Errorf("ja.Languages() = %s after WithDefault", got)
	}
	if got := fmt.Sprint(replaced.Languages()); got != "[zh-CN en-US ja-JP]" {
		t.Errorf("replaced.Languages() = %s, want en-US in place", got)
	}
	if def.Negotiate("ja") != ZhCN || ja.Negotiate("ja") != jaJP {
		t.Error("With changed the original's negotiation")
	}
	if got := ja.Error(EnUS, WrongCode); got != "The verification code is wrong or has expired." {
		t.Errorf("ja en-US message = %q: replaced in the original", got)
	}
	if got := replaced.Error(EnUS, WrongCode); got != "en2 wrong_code" {
		t.Errorf("replaced en-US message = %q", got)
	}

	texts.Errors[WrongCode] = "changed by the caller"
	if got := ja.Error(jaJP, WrongCode); got != "ja wrong_code" {
		t.Errorf("the caller's map reaches the catalog: %q", got)
	}
	b, _ := Builtin(EnUS)
	b.Errors[WrongCode] = "changed by the caller"
	if got := def.Error(EnUS, WrongCode); got != "The verification code is wrong or has expired." {
		t.Errorf("Builtin's map reaches the Default catalog: %q", got)
	}
	if b2, _ := Builtin(EnUS); b2.Errors[WrongCode] != "The verification code is wrong or has expired." {
		t.Errorf("Builtin's map is shared between calls")
	}
	def.Languages()[0] = frFR
	if def.Languages()[0] != ZhCN {
		t.Error("Languages hands out the catalog's slice")
	}
	if Default() != def {
		t.Error("Default returns a new catalog each call")
	}
}

func TestBuiltin(t *testing.T) {
	for _, tag := range []language.Tag{language.English, language.Chinese, jaJP, language.Und} {
		if _, ok := Builtin(tag); ok {
			t.Errorf("Builtin(%v) ok", tag)
		}
	}
	// Built-in texts round-trip through With unchanged.
	zh, _ := Builtin(ZhCN)
	c, err := new(Catalog).With(ZhCN, zh)
	if err != nil {
		t.Fatal(err)
	}
	d := Data{Code: "753927", Validity: time.Minute}
	if got := c.SMS(EnUS, d); got != "您的验证码为753927，1分钟内有效。请勿将验证码告知他人。" {
		t.Errorf("one-language catalog SMS = %q", got)
	}
	if got := fmt.Sprint(c.Languages()); got != "[zh-CN]" {
		t.Errorf("Languages = %s", got)
	}
}

// TestZeroCatalog: a catalog without languages answers without panicking,
// and With builds on it.
func TestZeroCatalog(t *testing.T) {
	for _, c := range []*Catalog{nil, new(Catalog)} {
		if c.Negotiate("en") != language.Und || c.Match(EnUS) != language.Und || len(c.Languages()) != 0 {
			t.Error("empty catalog has a language")
		}
		if c.Error(EnUS, WrongCode) != string(WrongCode) || c.SMS(EnUS, Data{}) != "" ||
			c.EmailSubject(EnUS, Data{}) != "" || c.EmailBody(EnUS, Data{}) != "" {
			t.Error("empty catalog has texts")
		}
		if _, err := c.WithDefault(EnUS); err == nil {
			t.Error("WithDefault on an empty catalog")
		}
		ja, err := c.With(jaJP, textsFor(t, "ja"))
		if err != nil {
			t.Fatal(err)
		}
		if ja.Negotiate("en") != jaJP || ja.Match(language.Und) != jaJP {
			t.Error("the first language is not the default")
		}
	}
}

// TestDefaultConcurrent exercises the shared Default catalog from many
// goroutines; run with -race.
func TestDefaultConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				c := Default()
				tag := c.Negotiate([]string{"", "en", "zh-CN", "da, en-gb;q=0.8", "ja"}[(g+i)%5])
				d := Data{Code: "753927", Validity: time.Duration(i%10+1) * time.Minute, Brand: []string{"", "Acme"}[i%2]}
				if c.Error(tag, WrongCode) == "" || !strings.Contains(c.SMS(tag, d), "753927") ||
					c.EmailSubject(tag, d) == "" || !strings.Contains(c.EmailBody(tag, d), "753927") {
					t.Error("bad text under concurrency")
					return
				}
				if i%50 == 0 {
					if _, err := c.WithDefault(EnUS); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestNoAllocs: negotiating the common headers, matching the catalog's tags
// and looking up an error message allocate nothing.
func TestNoAllocs(t *testing.T) {
	c := Default()
	for _, h := range []string{"", "zh-CN", "zh", "en-US", "en", "zh-CN,zh;q=0.9", "en-US,en;q=0.9"} {
		if n := testing.AllocsPerRun(100, func() { c.Negotiate(h) }); n != 0 {
			t.Errorf("Negotiate(%q) allocates %v times", h, n)
		}
	}
	for _, tag := range []language.Tag{language.Und, ZhCN, EnUS, language.English, language.Chinese} {
		if n := testing.AllocsPerRun(100, func() { c.Match(tag) }); n != 0 {
			t.Errorf("Match(%v) allocates %v times", tag, n)
		}
		if n := testing.AllocsPerRun(100, func() { c.Error(tag, TooFrequent) }); n != 0 {
			t.Errorf("Error(%v) allocates %v times", tag, n)
		}
	}
}
