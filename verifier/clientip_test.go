package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/verifier"
)

// TestClientIPNormalised: the verifier itself normalises Request.ClientIP,
// as httpmw does, so that a caller of the Go API gets the same per-IP
// quotas: the port stripped, IPv6 grouped by /64, IPv4-mapped addresses
// folded to IPv4, zones dropped. A value that is no address is refused
// with ErrInvalidClientIP, never counted apart or let off the quota.
func TestClientIPNormalised(t *testing.T) {
	for _, tt := range []struct {
		name  string
		addrs []string // each sends once; all count as one client
	}{
		{"one /64", []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff", "[2001:db8:1:2:aaaa::1]:443"}},
		{"IPv4 with and without a port", []string{"192.0.2.4:5", "192.0.2.4", "192.0.2.4:65535", "[::ffff:192.0.2.4]:80"}},
		{"IPv4-mapped", []string{"::ffff:192.0.2.5", "192.0.2.5"}},
		{"zones and brackets", []string{"fe80::1%eth0", "[fe80::2%eth1]:8080", "[fe80::3]", "fe80::/64"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			limit := len(tt.addrs) - 1
			f := newFixture(t, withLimits(func(l *verifier.Limits) {
				l.Subject = verifier.ClientLimits{}
				l.IP.Send = limiter.Rule{Limit: limit, Window: time.Hour}
			}))
			for i, ip := range tt.addrs {
				_, err := f.v.Send(context.Background(), verifier.Request{Contact: fmt.Sprintf("+86136%08d", i), Subject: fmt.Sprint("s", i), ClientIP: ip})
				switch {
				case i < limit && err != nil:
					t.Fatalf("send %d from %s: %v", i, ip, err)
				case i == limit:
					var rl *verifier.RateLimitError
					if !errors.As(err, &rl) || rl.Limit != "ip" {
						t.Fatalf("send %d from %s: %v, want the per-IP quota of the %d before", i, ip, err, limit)
					}
				}
			}
			// Another address is another client.
			if _, err := f.v.Send(context.Background(), verifier.Request{Contact: "+8613900000001", Subject: "other", ClientIP: "2001:db8:9::1"}); err != nil {
				t.Fatalf("another client: %v", err)
			}
		})
	}

	f := newFixture(t)
	for _, ip := range []string{"not an ip", "peer:@", "192.0.2.1, 198.51.100.7", "192.0.2.300", "2001:db8::/48", "192.0.2.0/24", "[192.0.2.1", "@", ":80"} {
		r := verifier.Request{Contact: phone, Subject: "alice", ClientIP: ip}
		if _, err := f.v.Send(context.Background(), r); !errors.Is(err, verifier.ErrInvalidClientIP) {
			t.Errorf("Send from %q: %v, want ErrInvalidClientIP", ip, err)
		}
		if _, err := f.v.Verify(context.Background(), r, "123456"); !errors.Is(err, verifier.ErrInvalidClientIP) {
			t.Errorf("Verify from %q: %v, want ErrInvalidClientIP", ip, err)
		}
	}
	if f.rec.Len() != 0 {
		t.Fatal("a send with an invalid client IP delivered a code")
	}
	// No client IP at all: the per-IP quotas do not apply, as documented.
	if _, err := f.v.Send(context.Background(), req(phone)); err != nil {
		t.Fatal(err)
	}
}

// TestClientIPVerifyQuota: the verify quota counts one client the same way.
func TestClientIPVerifyQuota(t *testing.T) {
	f := newFixture(t, withLimits(func(l *verifier.Limits) {
		l.Subject = verifier.ClientLimits{}
		l.IP.Verify = limiter.Rule{Limit: 2, Window: time.Hour}
	}))
	for i, ip := range []string{"2001:db8:5:6::1", "[2001:db8:5:6::2]:1", "2001:db8:5:6::3"} {
		_, err := f.v.Verify(context.Background(), verifier.Request{Contact: fmt.Sprintf("+86136%08d", i), Subject: fmt.Sprint("s", i), ClientIP: ip}, "123456")
		if want := verifier.ErrWrongCode; i == 2 {
			retryAfter(t, err, verifier.ErrTooManyAttempts)
		} else if !errors.Is(err, want) {
			t.Fatalf("verify %d: %v", i, err)
		}
	}
}
