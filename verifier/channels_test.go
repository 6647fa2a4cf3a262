package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// TestRequestChannels: a Request limited to email refuses a phone number
// on Send and on Verify with delivery.ErrNotAllowed and the parsed
// contact, before any limit or code (the number's cooldown stays free, no
// message goes out); a contact that is not one, or no subject, keeps its
// own error; an email address goes through, and a code sent without the
// limit verifies with it only for its own channel.
func TestRequestChannels(t *testing.T) {
	log := &eventLog{}
	f := newFixture(t, verifier.WithObserver(log))
	ctx := context.Background()
	emailOnly := func(c string) verifier.Request {
		r := req(c)
		r.Channels, r.Purpose = []delivery.Channel{delivery.Email}, "change-email"
		return r
	}
	sent, err := f.v.Send(ctx, emailOnly(phone))
	if !errors.Is(err, delivery.ErrNotAllowed) || sent.Contact.Value != phone {
		t.Fatalf("Send of a number to email only: %v, %+v; want ErrNotAllowed with the contact", err, sent.Contact)
	}
	if e := log.last(); e.Outcome != "not_allowed" || e.Channel != delivery.SMS || e.Purpose != "change-email" {
		t.Errorf("event %+v", e)
	}
	if c, err := f.v.Verify(ctx, emailOnly(phone), "123456"); !errors.Is(err, delivery.ErrNotAllowed) || c.Value != phone {
		t.Errorf("Verify of a number to email only: %v, %+v", err, c)
	}
	if f.rec.Len() != 0 {
		t.Fatalf("%d messages after refusals", f.rec.Len())
	}
	if _, err := f.v.Send(ctx, emailOnly("nope")); !errors.Is(err, contact.ErrInvalid) {
		t.Errorf("not a contact: %v, want contact.ErrInvalid", err)
	}
	noSubject := emailOnly(phone)
	noSubject.Subject = ""
	if _, err := f.v.Send(ctx, noSubject); !errors.Is(err, verifier.ErrNoSubject) {
		t.Errorf("no subject: %v, want ErrNoSubject", err)
	}
	code := f.send(t, emailOnly("a@example.com"))
	if _, err := f.v.Verify(ctx, emailOnly("a@example.com"), code); err != nil {
		t.Errorf("the email's code: %v", err)
	}
	// Nothing was taken for the refused number: its cooldown is free.
	f.send(t, req(phone))
	both := req(phone)
	both.Channels = []delivery.Channel{delivery.Email, delivery.SMS}
	if _, err := f.v.Parse(both); err != nil {
		t.Errorf("Parse with both channels: %v", err)
	}
}

// TestParse: Parse reads the contact as Send does and refuses what Send
// refuses before its limits: the request's channels, the Verifier's
// channels and regions; it sends and counts nothing.
func TestParse(t *testing.T) {
	f := newFixture(t, verifier.WithChannels(delivery.SMS), verifier.WithAllowedRegions("CN"))
	for _, tt := range []struct {
		contact string
		want    error
		value   string
	}{
		{"136 1234 5678", nil, phone},
		{"+14155552671", delivery.ErrNotAllowed, "+14155552671"},
		{"a@example.com", delivery.ErrNotAllowed, "a@example.com"},
		{"nope", contact.ErrInvalid, ""},
	} {
		c, err := f.v.Parse(req(tt.contact))
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) || c.Value != tt.value {
			t.Errorf("Parse(%q): %q, %v; want %q, %v", tt.contact, c.Value, err, tt.value, tt.want)
		}
	}
	if _, err := f.v.Parse(verifier.Request{Contact: phone}); !errors.Is(err, verifier.ErrNoSubject) {
		t.Errorf("no subject: %v", err)
	}
	r := req(phone)
	r.ClientIP = "not an ip"
	if _, err := f.v.Parse(r); !errors.Is(err, verifier.ErrInvalidClientIP) {
		t.Errorf("bad client IP: %v", err)
	}
	if f.rec.Len() != 0 {
		t.Errorf("Parse sent %d messages", f.rec.Len())
	}
	f.send(t, req(phone)) // no cooldown was taken
}

// TestChannelRuleAgreesWithParse pins outOfChannels's shortcut: the
// channel it tells from the raw contact ("@" or not) is the kind
// contact.Parse gives whenever it parses.
func TestChannelRuleAgreesWithParse(t *testing.T) {
	for _, raw := range []string{phone, "136 1234 5678", "a@example.com", "A@EXAMPLE.COM", "＋８６１３６１２３４５６７８", "0086 136 1234 5678", "x@y", "@", "+86 136@1234"} {
		c, err := contact.Parse(raw, "")
		if err != nil {
			continue
		}
		email := false
		for i := range len(raw) {
			email = email || raw[i] == '@'
		}
		if email != (c.Kind == contact.Email) {
			t.Errorf("%q parses as %v, but the rule says email %v", raw, c.Kind, email)
		}
	}
}

// A flow that takes email addresses only: a number is refused before any
// limit or code, and Parse gives the host the contact Send would take,
// to decide about it first.
func ExampleVerifier_Parse() {
	v, _ := verifier.New(&notify.Recorder{})
	defer v.Close()
	r := verifier.Request{Contact: "+8613612345678", Subject: "user-42", Purpose: "change-email",
		Channels: []delivery.Channel{delivery.Email}}
	_, err := v.Send(context.Background(), r)
	fmt.Println(errors.Is(err, delivery.ErrNotAllowed))

	r.Contact = "New@Example.com"
	c, err := v.Parse(r)
	fmt.Println(c.Value, err)
	// Output:
	// true
	// new@example.com <nil>
}
