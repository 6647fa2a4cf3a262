package contact

import (
	"strconv"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, raw, country string }{
		{"CN", "+8613612345678", "chinaPR"},
		{"CN-national", "136 1234 5678", ""},
		{"US", "+14155552671", "usa"},
		// Calling codes shared by several regions: the region is told
		// apart by leading digits (+44, +7) or by the number's type.
		{"GB", "+447400123456", "UK"},
		{"RU", "+79123456789", "russia"},
		{"email", "Alice.Smith@Example.com", ""},
		{"invalid", "+86136abc", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Parse(c.raw, c.country)
			}
		})
	}
}

// BenchmarkParseDistinct is the flood's parse (cmd/vcodeload): every call
// a number never parsed before, as no parse is cached across subjects.
func BenchmarkParseDistinct(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Parse("+86136"+strconv.Itoa(10000000+i%90000000), "chinaPR")
		i++
	}
}
