package verifier

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestNewCodeRejectsBiasedDraws: a draw at or above the largest multiple of
// 10^n is thrown away rather than reduced, which is what keeps the codes
// uniform. Plain modulo would turn MaxUint64 into a code.
func TestNewCodeRejectsBiasedDraws(t *testing.T) {
	for n := minCodeLength; n <= maxCodeLength; n++ {
		bound := math.MaxUint64 / pow10[n] * pow10[n]
		var buf bytes.Buffer
		for _, x := range []uint64{math.MaxUint64, bound, 42} {
			binary.Write(&buf, binary.LittleEndian, x)
		}
		code, err := newCode(&buf, n)
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Repeat("0", n-2) + "42"; code != want {
			t.Fatalf("n=%d: code %q, want %q from the third draw", n, code, want)
		}
		if buf.Len() != 0 {
			t.Fatalf("n=%d: %d bytes left unread", n, buf.Len())
		}
	}
	// bound-1 is the largest accepted draw.
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, math.MaxUint64/pow10[6]*pow10[6]-1)
	if code, _ := newCode(&buf, 6); code != "999999" {
		t.Fatalf("bound-1 gave %q", code)
	}
}

// TestNewCodeUniform checks every digit position with a chi-square test on a
// seeded generator: deterministic, and it fails for a skew such as a
// constant or a modulo-reduced small draw.
func TestNewCodeUniform(t *testing.T) {
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	const samples = 20000
	var counts [6][10]int
	for range samples {
		code, err := newCode(r, 6)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			counts[i][code[i]-'0']++
		}
	}
	for pos, c := range counts {
		chi := 0.0
		for _, k := range c {
			d := float64(k) - samples/10
			chi += d * d / (samples / 10)
		}
		// 9 degrees of freedom: p = 0.001 at 27.88.
		if chi > 27.88 {
			t.Errorf("position %d: chi-square %.1f, counts %v", pos, chi, c)
		}
	}
}

func TestNormaliseCode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"123456", "123456", true},
		{"１２３４５６", "123456", true},
		{"12345", "", false},
		{"1234567", "", false},
		{"12345a", "", false},
		{" 12345", "", false},
		{"１２３４５6", "123456", true},
		{"123 456", "123456", true},
		{"123-456", "123456", true},
		{" 123456 ", "123456", true},
		{"12 34 56", "123456", true},
		{"１２３　４５６", "123456", true},
		{"123 4567", "", false},
		{"123_456", "", false},
		{"------", "", false},
		{strings.Repeat(" ", 100) + "123456", "", false},
		{"١٢٣٤٥٦", "", false},
		{"12\x003456"[:6], "", false},
		{"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95\xff\xff\xff", "", false},
	}
	for _, tt := range tests {
		got, ok := normaliseCode(tt.in, 6)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normaliseCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
