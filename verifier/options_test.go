package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/verifier"
)

// TestSharedBackendsNeedSecrets: a store or limiter given from outside
// (WithStore, WithLimiter) may be shared with other processes, so New
// refuses it without WithSecrets, saying why: each process's random secret
// would make its codes and its limits its own. Two instances on one store
// and limiter with a secret each would reject each other's codes, and let
// a resend through B right after A.
func TestSharedBackendsNeedSecrets(t *testing.T) {
	st, lim := store.NewMemory(), limiter.NewMemory()
	defer st.Close()
	defer lim.Close()
	secret := verifier.WithSecrets([]byte("one secret shared by instances"))
	for _, tt := range []struct {
		name string
		opts []verifier.Option
		ok   bool
	}{
		{"store", []verifier.Option{verifier.WithStore(st)}, false},
		{"limiter", []verifier.Option{verifier.WithLimiter(lim)}, false},
		{"both", []verifier.Option{verifier.WithStore(st), verifier.WithLimiter(lim)}, false},
		{"both with secrets", []verifier.Option{verifier.WithStore(st), verifier.WithLimiter(lim), secret}, true},
		{"store with secrets", []verifier.Option{secret, verifier.WithStore(st)}, true},
		{"default backends", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verifier.New(notify.Discard, tt.opts...)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				v.Close()
				return
			}
			if err == nil {
				t.Fatal("New accepted a store or limiter from outside without WithSecrets")
			}
			for _, why := range []string{"WithSecrets", "per process"} {
				if !strings.Contains(err.Error(), why) {
					t.Errorf("error %q does not say %q", err, why)
				}
			}
		})
	}

	// What the refusal prevents: two instances, one store and limiter,
	// each with a secret of its own.
	a, errA := verifier.New(notify.Discard, verifier.WithStore(st), verifier.WithLimiter(lim))
	b, errB := verifier.New(notify.Discard, verifier.WithStore(st), verifier.WithLimiter(lim))
	if errA == nil && errB == nil {
		ctx := context.Background()
		a.Send(ctx, req(phone))
		if _, err := b.Send(ctx, req(phone)); !errors.Is(err, verifier.ErrTooFrequent) {
			t.Errorf("instance B sent a code right after A: the cooldown was per process (%v)", err)
		}
	}
}

// TestOptionsNeverSilentlyRefuseEverything: an option whose value would
// switch a defence off, refuse every request or panic later is an error at
// New, and New reports every such problem at once.
func TestOptionsNeverSilentlyRefuseEverything(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  verifier.Option
		want string // in New's error
	}{
		{"a Huawei country value as a region", verifier.WithAllowedRegions("CN", "usa"), `"usa" is a Huawei country value`},
		{"chinaPR as a region", verifier.WithAllowedRegions("chinaPR"), `use "CN"`},
		{"no region", verifier.WithAllowedRegions(), "at least one region"},
		{"an unknown region", verifier.WithAllowedRegions("ZZ"), `"ZZ" is not an ISO 3166-1`},
		{"a grouping, not a region", verifier.WithAllowedRegions("EU"), `"EU" is not an ISO 3166-1`},
		{"an empty region", verifier.WithAllowedRegions(""), `"" is not an ISO 3166-1`},
		{"no clock", verifier.WithClock(nil), "WithClock"},
		{"no channel", verifier.WithChannels(), "at least one channel"},
		{"a negative cache", verifier.WithContactCache(-1), "contact cache"},
		{"a region cap for a Huawei value", withLimits(func(l *verifier.Limits) { l.RegionDailyBy = map[string]int{"usa": 10} }), `"usa" is a Huawei country value`},
		{"a region cap twice", withLimits(func(l *verifier.Limits) { l.RegionDailyBy = map[string]int{"cn": 10, "CN": 20} }), `"CN" given twice`},
	} {
		_, err := verifier.New(notify.Discard, tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New = %v, want an error saying %s", tt.name, err, tt.want)
		}
	}

	// Every problem at once, whatever the order of the options: in the
	// order of options.go, where New checks them all.
	_, err := verifier.New(notify.Discard, verifier.WithAllowedRegions("usa"), verifier.WithClock(nil),
		verifier.WithChannels(), verifier.WithCodeLength(3))
	want := []string{"code length 3", "at least one channel", "Huawei country value", "WithClock"}
	got := ""
	if err != nil {
		got = err.Error()
	}
	if lines := strings.Split(got, "\n"); len(lines) != len(want) {
		t.Fatalf("New with four bad options:\n%s\nwant one line for each of %q", got, want)
	}
	for i, line := range strings.Split(got, "\n") {
		if !strings.Contains(line, want[i]) {
			t.Errorf("problem %d: %q, want %q", i, line, want[i])
		}
	}
}

// TestRegionsTakeEitherCase: ISO region codes are taken in lower case too,
// and then apply as their upper-case selves.
func TestRegionsTakeEitherCase(t *testing.T) {
	f := newFixture(t, verifier.WithAllowedRegions("hk", "Cn"),
		withLimits(func(l *verifier.Limits) { l.RegionDailyBy = map[string]int{"hk": 1} }))
	for _, c := range []string{"+85251234567", phone} {
		if _, err := f.v.Send(context.Background(), req(c)); err != nil {
			t.Fatalf("%s allowed in lower case: %v", c, err)
		}
	}
	if _, err := f.v.Send(context.Background(), req("+14155550123")); !errors.Is(err, delivery.ErrNotAllowed) {
		t.Fatalf("a US number: %v, want ErrNotAllowed", err)
	}
	// The cap given as "hk" holds HK to one a day.
	if err := sendErr(f.v, verifier.Request{Contact: "+85251234568", Subject: "bob"}); !errors.Is(err, verifier.ErrTooFrequent) {
		t.Fatalf("second HK send under a cap of one given as \"hk\": %v", err)
	}
}

// TestOptionsOnlyRecord: an option records its value and New checks what
// the options leave, so that a later option replaces an earlier one
// whole, a bad value it replaced included.
func TestOptionsOnlyRecord(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []verifier.Option
		ok   bool
	}{
		{"bad length replaced", []verifier.Option{verifier.WithCodeLength(3), verifier.WithCodeLength(8)}, true},
		{"good length replaced by a bad one", []verifier.Option{verifier.WithCodeLength(8), verifier.WithCodeLength(11)}, false},
		{"empty region list replaced", []verifier.Option{verifier.WithAllowedRegions(), verifier.WithAllowedRegions("CN")}, true},
		{"nil clock replaced", []verifier.Option{verifier.WithClock(nil), verifier.WithClock(time.Now)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := verifier.New(notify.Discard, tt.opts...)
			if (err == nil) != tt.ok {
				t.Fatalf("New = %v, want ok %v", err, tt.ok)
			}
			if v != nil {
				v.Close()
			}
		})
	}
	f := newFixture(t, verifier.WithCodeLength(3), verifier.WithCodeLength(8))
	if code := f.send(t, req(phone)); len(code) != 8 {
		t.Errorf("code %q, want the 8 digits of the last WithCodeLength", code)
	}
}
