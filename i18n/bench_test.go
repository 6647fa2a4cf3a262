package i18n

import (
	"testing"
	"time"

	"golang.org/x/text/language"
)

var (
	sinkTag    language.Tag
	sinkString string
)

func BenchmarkNegotiate(b *testing.B) {
	for _, h := range []string{"en-US", "da, en-gb;q=0.8, en;q=0.7"} {
		b.Run(h, func(b *testing.B) {
			c := Default()
			b.ReportAllocs()
			for b.Loop() {
				sinkTag = c.Negotiate(h)
			}
		})
	}
}

func BenchmarkError(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		sinkString = c.Error(EnUS, WrongCode)
	}
}

func BenchmarkSMS(b *testing.B) {
	c := Default()
	d := Data{Code: "753927", Validity: 5 * time.Minute, Brand: "Acme"}
	b.ReportAllocs()
	for b.Loop() {
		sinkString = c.SMS(EnUS, d)
	}
}
