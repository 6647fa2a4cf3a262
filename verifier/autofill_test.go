package verifier_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// gsm7Ext is the GSM 7-bit alphabet's extension table (3GPP TS 23.038
// table 6.2.1.1); gsm7Septets has the alphabet by the columns of table
// 6.2.1: the test's own copy, in another shape than the package's, so
// that a slip in one shows.
const gsm7Ext = "\f^{}\\[~]|€"

// gsm7Septets counts s in septets, or -1 when a character is outside the
// alphabet and its extension.
func gsm7Septets(s string) int {
	table := map[rune]int{}
	// The columns of table 6.2.1: row r of column c is septet 16*c+r.
	cols := [8]string{
		"@£$¥èéùìòÇ\nØø\rÅå",
		"Δ_ΦΓΛΩΠΨΣΘΞ\x00ÆæßÉ",
		" !\"#¤%&'()*+,-./",
		"0123456789:;<=>?",
		"¡ABCDEFGHIJKLMNO",
		"PQRSTUVWXYZÄÖÑÜ§",
		"¿abcdefghijklmno",
		"pqrstuvwxyzäöñüà",
	}
	for _, col := range cols {
		for _, r := range col {
			if r != 0 {
				table[r] = 1
			}
		}
	}
	for _, r := range gsm7Ext {
		table[r] = 2
	}
	n := 0
	for _, r := range s {
		c, ok := table[r]
		if !ok {
			return -1
		}
		n += c
	}
	return n
}

// fitsOneSegment reports whether s fits one SMS: 160 septets, or 70
// UTF-16 units when it is not all GSM-7.
func fitsOneSegment(s string) (bool, string) {
	if n := gsm7Septets(s); n >= 0 {
		return n <= 160, fmt.Sprintf("%d GSM-7 septets", n)
	}
	n := len(utf16.Encode([]rune(s)))
	return n <= 70, fmt.Sprintf("%d UCS-2 units", n)
}

// TestSMSAutofill: the origin-bound line, the Android hash, or both end
// every SMS, in every language and with a host's own template; email is
// untouched.
func TestSMSAutofill(t *testing.T) {
	own := i18n.Default()
	texts, _ := i18n.Builtin(i18n.EnUS)
	texts.SMS, _ = i18n.ParseTemplate("Code {{.Code}}\n")
	own, _ = own.With(language.Japanese, texts)
	for _, tt := range []struct {
		name, domain, hash, last string
	}{
		{"both", "Example.COM", "FA+9qCX9VSu", "@example.com #%s FA+9qCX9VSu"},
		{"domain", "login.example.com", "", "@login.example.com #%s"},
		{"hash", "", "a/b+0123XYZ", "a/b+0123XYZ"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, verifier.WithBrand("Acme"), verifier.WithCatalog(own), verifier.WithSMSAutofill(tt.domain, tt.hash))
			for _, lang := range []language.Tag{i18n.ZhCN, i18n.EnUS, language.Japanese} {
				r := req(phone)
				r.Language = lang
				f.clk.Advance(time.Hour)
				code := f.send(t, r)
				m, _ := f.rec.Last(phone)
				lines := strings.Split(m.Text, "\n")
				if got, want := lines[len(lines)-1], strings.ReplaceAll(tt.last, "%s", code); got != want {
					t.Errorf("%v: last line %q, want %q (text %q)", lang, got, want, m.Text)
				}
				if len(lines) != 2 || !strings.Contains(lines[0], code) {
					t.Errorf("%v: %q: want the text, its code, then the line alone", lang, m.Text)
				}
			}
			f.send(t, req("a@example.com"))
			if m, _ := f.rec.Last("a@example.com"); strings.Contains(m.Text, "#") || strings.Contains(m.Text, "a/b+") {
				t.Errorf("the email carries the SMS line: %q", m.Text)
			}
		})
	}

	for _, tt := range []struct{ domain, hash string }{
		{"", ""},
		{"example", ""}, {"https://example.com", ""}, {"example.com:443", ""}, {"example.com/login", ""},
		{"example.com.", ""}, {".example.com", ""}, {"-a.example.com", ""}, {"a-.example.com", ""},
		{"exa mple.com", ""}, {"exämple.com", ""}, {"192.0.2.1", ""}, {"a..com", ""},
		{strings.Repeat("a", 64) + ".com", ""}, {strings.Repeat("a.", 127) + "com", ""},
		{"", "FA+9qCX9VS"}, {"", "FA+9qCX9VSuu"}, {"", "FA-9qCX9VSu"}, {"", "FA_9qCX9VSu"}, {"", "FA=9qCX9VSu"},
		{"example.com", "FA+9qCX9VS"},
	} {
		if _, err := verifier.New(&notify.Recorder{}, verifier.WithSMSAutofill(tt.domain, tt.hash)); err == nil {
			t.Errorf("New accepted WithSMSAutofill(%q, %q)", tt.domain, tt.hash)
		}
	}
	for _, ok := range []string{"example.com", "xn--fsq.example", "a-b.c0", "EXAMPLE.com", strings.Repeat("a", 63) + ".com"} {
		// The longest label is a host name, and too long for one SMS.
		if _, err := verifier.New(&notify.Recorder{}, verifier.WithSMSAutofill(ok, "")); err != nil && !strings.Contains(err.Error(), "segment") {
			t.Errorf("New refused WithSMSAutofill(%q, \"\"): %v", ok, err)
		}
	}
}

// TestSMSSegments counts what the built-in texts send: without autofill
// they fit one segment with the longest brand, code and validity in both
// languages; with it, New refuses exactly the configurations that would
// not fit, and the brands the documentation promises are accepted.
func TestSMSSegments(t *testing.T) {
	langs := []language.Tag{i18n.ZhCN, i18n.EnUS}
	// sent returns every SMS text f sends in langs.
	sent := func(t *testing.T, v *verifier.Verifier, rec *notify.Recorder, clk interface{ Advance(time.Duration) }) []string {
		var texts []string
		for _, lang := range langs {
			clk.Advance(time.Hour)
			r := req(phone)
			r.Language = lang
			if _, err := v.Send(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			m, _ := rec.Last(phone)
			texts = append(texts, m.Text)
		}
		return texts
	}
	// Without autofill: the longest brand of letters, of Chinese
	// characters for the Chinese text, a 10-digit code valid 10 minutes.
	for _, brand := range []string{strings.Repeat("W", 32), strings.Repeat("品", 32)} {
		f := newFixture(t, verifier.WithBrand(brand), verifier.WithCodeLength(10), verifier.WithValidity(10*time.Minute))
		for i, text := range sent(t, f.v, f.rec, f.clk) {
			if brand[0] != 'W' && langs[i] != i18n.ZhCN {
				continue // a Chinese brand makes an English text UCS-2: two segments
			}
			if ok, n := fitsOneSegment(text); !ok {
				t.Errorf("%v with brand %q: %s: %q", langs[i], brand, n, text)
			}
		}
	}

	// With autofill: the longest brand New takes fits, one more does not.
	longest := func(domain, hash string, codeLength int, unit string) int {
		for n := 32; n > 0; n-- {
			if _, err := verifier.New(&notify.Recorder{}, verifier.WithBrand(strings.Repeat(unit, n)), verifier.WithCodeLength(codeLength), verifier.WithValidity(10*time.Minute), verifier.WithSMSAutofill(domain, hash)); err == nil {
				return n
			}
		}
		return 0
	}
	for _, tt := range []struct {
		domain, hash string
		codeLength   int
	}{
		{"example.com", "", 6}, {"example.com", "FA+9qCX9VSu", 6}, {"", "FA+9qCX9VSu", 6},
		{"example.com", "", 10}, {"login.example.com", "FA+9qCX9VSu", 4},
	} {
		for _, unit := range []string{"W", "品", "€"} {
			n := longest(tt.domain, tt.hash, tt.codeLength, unit)
			if n == 0 {
				continue // no brand fits: the brandless texts are checked below
			}
			brand := strings.Repeat(unit, n)
			f := newFixture(t, verifier.WithBrand(brand), verifier.WithCodeLength(tt.codeLength), verifier.WithValidity(10*time.Minute), verifier.WithSMSAutofill(tt.domain, tt.hash))
			for i, text := range sent(t, f.v, f.rec, f.clk) {
				if ok, count := fitsOneSegment(text); !ok {
					t.Errorf("%+v, brand %d×%q: %v SMS is %s: %q", tt, n, unit, langs[i], count, text)
				}
			}
			if n < 32 {
				if _, err := verifier.New(&notify.Recorder{}, verifier.WithBrand(brand+unit), verifier.WithCodeLength(tt.codeLength), verifier.WithValidity(10*time.Minute), verifier.WithSMSAutofill(tt.domain, tt.hash)); err == nil {
					t.Errorf("%+v: New accepted a brand of %d×%q, longer than fits", tt, n+1, unit)
				}
			}
		}
	}
	// The figures WithSMSAutofill's documentation gives: 6-digit codes
	// valid one minute (the defaults), "example.com", a brand of letters
	// (in the Chinese text, Chinese characters cost the same).
	for _, tt := range []struct {
		hash string
		lang language.Tag
		want int
	}{
		{"", i18n.ZhCN, 16}, {"FA+9qCX9VSu", i18n.ZhCN, 4}, {"", i18n.EnUS, 32}, {"FA+9qCX9VSu", i18n.EnUS, 32},
	} {
		only, _ := new(i18n.Catalog).With(tt.lang, mustBuiltin(t, tt.lang))
		got := 0
		for n := 32; n > 0 && got == 0; n-- {
			if _, err := verifier.New(&notify.Recorder{}, verifier.WithCatalog(only), verifier.WithBrand(strings.Repeat("W", n)), verifier.WithSMSAutofill("example.com", tt.hash)); err == nil {
				got = n
			}
		}
		if got != tt.want {
			t.Errorf("%v, hash %q: the longest brand is %d, the documentation says %d", tt.lang, tt.hash, got, tt.want)
		}
	}
	// A 10-digit code with both leaves the Chinese text no room at all.
	if _, err := verifier.New(&notify.Recorder{}, verifier.WithCodeLength(10), verifier.WithBrand("A"), verifier.WithSMSAutofill("example.com", "FA+9qCX9VSu")); err == nil || !strings.Contains(err.Error(), "zh-CN") || !strings.Contains(err.Error(), "70") {
		t.Errorf("New with a 10-digit code, a brand and both autofill parts: %v, want the zh-CN SMS refused as over 70", err)
	}
}

func mustBuiltin(t *testing.T, tag language.Tag) i18n.Texts {
	t.Helper()
	texts, ok := i18n.Builtin(tag)
	if !ok {
		t.Fatalf("no built-in texts for %v", tag)
	}
	return texts
}
