package verifier

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSMSLength: GSM-7 characters count one septet, those of the
// extension table two; one character outside both makes the whole text
// UTF-16, where a character beyond the BMP counts two.
func TestSMSLength(t *testing.T) {
	if n := utf8.RuneCountInString(gsm7Basic); n != 127 {
		t.Errorf("the basic alphabet has %d characters, want 127 (128 without the escape)", n)
	}
	if n := utf8.RuneCountInString(gsm7Extension); n != 10 {
		t.Errorf("the extension table has %d characters, want 10", n)
	}
	for _, tt := range []struct {
		s          string
		n, segment int
	}{
		{"", 0, 160},
		{"Your code is 123456.\n@example.com #123456 FA+9qCX9VSu", 53, 160},
		{"[Acme] 1", 10, 160},          // brackets are extension characters
		{"€5 {x} ~|^\\", 18, 160},      // every extension character counts two
		{"\f", 2, 160},                 // form feed too
		{"Ça coûte 5 €", 12, 70},       // û is not GSM-7: all UTF-16
		{"【Acme】您的验证码为123456", 18, 70}, // Chinese
		{"Acme 🙂", 7, 70},              // a surrogate pair counts two
		{strings.Repeat("a", 161), 161, 160},
	} {
		n, segment := smsLength(tt.s)
		if n != tt.n || segment != tt.segment {
			t.Errorf("smsLength(%q) = %d, %d; want %d, %d", tt.s, n, segment, tt.n, tt.segment)
		}
	}
}
