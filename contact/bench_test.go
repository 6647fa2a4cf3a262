package contact

import "testing"

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, raw, country string }{
		{"CN", "+8613612345678", "chinaPR"},
		{"CN-national", "136 1234 5678", ""},
		{"US", "+14155552671", "usa"},
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
