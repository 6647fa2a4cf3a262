package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// Non-geographic numbers: satellite phones (+881 Iridium, +870 Inmarsat)
// and the other global network codes, region "001".
const (
	iridium  = "+881631234567"
	inmarsat = "+870773111632"
)

// TestNonGeographicRefused: a non-geographic number is refused for SMS by
// default (ErrNotAllowed, before any code exists), whatever the region
// allow-list says; WithNonGeographicNumbers lets through the calling codes
// it names, and those alone, with or without an allow-list.
func TestNonGeographicRefused(t *testing.T) {
	for _, tt := range []struct {
		name    string
		opts    []verifier.Option
		contact string
		want    error
	}{
		{"Iridium, by default", nil, iridium, delivery.ErrNotAllowed},
		{"Inmarsat, by default", nil, inmarsat, delivery.ErrNotAllowed},
		{"a geographic number, by default", nil, phone, nil},
		{"Iridium allowed", []verifier.Option{verifier.WithNonGeographicNumbers(881)}, iridium, nil},
		{"Inmarsat, only Iridium allowed", []verifier.Option{verifier.WithNonGeographicNumbers(881)}, inmarsat, delivery.ErrNotAllowed},
		{"Iridium allowed beside an allow-list", []verifier.Option{verifier.WithAllowedRegions("CN"), verifier.WithNonGeographicNumbers(881, 870)}, iridium, nil},
		{"the allow-list still holds for the rest", []verifier.Option{verifier.WithAllowedRegions("CN"), verifier.WithNonGeographicNumbers(881)}, "+14155552671", delivery.ErrNotAllowed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			_, err := f.v.Send(context.Background(), req(tt.contact))
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Send(%s) = %v, want %v", tt.contact, err, tt.want)
			}
			if delivered := f.rec.Len() != 0; delivered != (tt.want == nil) {
				t.Fatalf("delivered %v, want %v", delivered, tt.want == nil)
			}
		})
	}
}

// TestNonGeographicOptionChecked: WithNonGeographicNumbers takes global
// network calling codes only, and at least one.
func TestNonGeographicOptionChecked(t *testing.T) {
	for _, tt := range []struct {
		codes []int
		ok    bool
	}{
		{[]int{881}, true},
		{[]int{800, 808, 870, 878, 881, 882, 883, 888, 979}, true},
		{nil, false},
		{[]int{44}, false},
		{[]int{881, 1}, false},
		{[]int{0}, false},
		{[]int{-881}, false},
	} {
		_, err := verifier.New(&notify.Recorder{}, verifier.WithNonGeographicNumbers(tt.codes...))
		if tt.ok != (err == nil) {
			t.Errorf("WithNonGeographicNumbers(%v): %v", tt.codes, err)
		}
		if err != nil && !strings.Contains(err.Error(), "WithNonGeographicNumbers") {
			t.Errorf("WithNonGeographicNumbers(%v): %q does not name the option", tt.codes, err)
		}
	}
}
