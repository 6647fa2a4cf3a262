package vcodetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// smsOnly is a provider's notifier as a fake sees it: SMS only, refusing
// one number as invalid, recording what it took.
type smsOnly struct{ got []delivery.Message }

func (p *smsOnly) Notify(_ context.Context, m delivery.Message) error {
	if m.To == "+8613600000000" {
		return delivery.InvalidRecipient(errors.New("fake: HTTP 400, error 21211"))
	}
	p.got = append(p.got, m)
	return nil
}

func (p *smsOnly) Supports(ch delivery.Channel) bool { return ch == delivery.SMS }

// TestWithNotifier: New's Verifier delivers through the notifier given,
// on New's manual clock; the outbox records what it accepted and nothing
// it refused; its refusals and its channels are the verifier's to judge,
// as in production; other options still apply.
func TestWithNotifier(t *testing.T) {
	provider := &smsOnly{}
	v, outbox, clock := vcodetest.New(t, vcodetest.WithNotifier(provider), verifier.WithBrand("Acme"))
	ctx := context.Background()
	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42"}

	if _, err := v.Send(ctx, req); err != nil {
		t.Fatal(err)
	}
	if len(provider.got) != 1 || provider.got[0].To != "+8613612345678" || provider.got[0].Text[:len("【Acme】")] != "【Acme】" {
		t.Fatalf("the provider got %+v", provider.got)
	}
	code, ok := outbox.LastCode(req.Contact)
	if !ok || code != provider.got[0].Code {
		t.Fatalf("outbox code %q, %v; the provider's %q", code, ok, provider.got[0].Code)
	}
	clock.Advance(2 * time.Minute)
	if _, err := v.Verify(ctx, req, code); !errors.Is(err, verifier.ErrWrongCode) {
		t.Errorf("Verify after the validity on New's clock: %v, want ErrWrongCode", err)
	}

	bad := verifier.Request{Contact: "+8613600000000", Subject: "user-42"}
	if _, err := v.Send(ctx, bad); !errors.Is(err, contact.ErrInvalid) {
		t.Errorf("a number the provider refuses: %v, want ErrInvalidContact", err)
	}
	if _, ok := outbox.Last(bad.Contact); ok {
		t.Error("the outbox recorded a message the provider refused")
	}
	if _, err := v.Send(ctx, verifier.Request{Contact: "a@example.com", Subject: "user-42"}); !errors.Is(err, delivery.ErrNotAllowed) {
		t.Errorf("email through an SMS provider: %v, want ErrNotAllowed", err)
	}
	if outbox.Len() != 1 {
		t.Errorf("outbox holds %d messages, want 1", outbox.Len())
	}

	if _, err := verifier.New(&notify.Recorder{}, vcodetest.WithNotifier(nil)); err == nil {
		t.Error("WithNotifier(nil) was accepted")
	}
}
