package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
	"golang.org/x/text/language"
)

func Example() {
	ctx := context.Background()
	outbox := &notify.Recorder{} // in production: an SMS or email notifier
	v, err := verifier.New(outbox)
	if err != nil {
		panic(err)
	}

	req := verifier.Request{Contact: "+86 136 1234 5678", Subject: "user-42", Language: i18n.EnUS}
	sent, err := v.Send(ctx, req)
	if err != nil {
		panic(err)
	}
	fmt.Println("sent to", sent.Contact)

	code, _ := outbox.LastCode(sent.Contact.Value) // what the user types in
	_, err = v.Verify(ctx, req, code)
	fmt.Println("first verify:", err)
	_, err = v.Verify(ctx, req, code)
	fmt.Println("second verify:", errors.Is(err, verifier.ErrWrongCode))
	// Output:
	// sent to +86136****5678
	// first verify: <nil>
	// second verify: true
}

// A branded message in English: the brand leads every text in each
// language's convention; Request.Language picks the language (httpmw sets
// it from Accept-Language).
func ExampleWithBrand() {
	outbox := &notify.Recorder{}
	v, _ := verifier.New(outbox, verifier.WithBrand("Acme"))
	defer v.Close()
	v.Send(context.Background(), verifier.Request{Contact: "+8613612345678", Subject: "user-42", Language: language.English})
	m, _ := outbox.Last("+8613612345678")
	fmt.Println(strings.Replace(m.Text, m.Code, "123456", 1))
	// Output: [Acme] Your verification code is 123456. It is valid for 1 minute. Do not share it with anyone.
}

// A refusal says which limit refused and for how long: what a "resend in
// N s" button and an HTTP Retry-After header need.
func ExampleRateLimitError() {
	v, _ := verifier.New(notify.Discard)
	defer v.Close()
	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42"}
	sent, _ := v.Send(context.Background(), req)
	_, err := v.Send(context.Background(), req)
	var rl *verifier.RateLimitError
	if errors.As(err, &rl) {
		seconds := int((rl.RetryAfter + time.Second - 1) / time.Second)
		fmt.Println("refused by the", rl.Limit, "limit; Retry-After:", seconds)
		fmt.Println("matches ErrTooFrequent:", errors.Is(err, verifier.ErrTooFrequent))
	}
	_ = sent.NextSendAt // when the button may come back, from the first send
	// Output:
	// refused by the contact limit; Retry-After: 60
	// matches ErrTooFrequent: true
}

// The policy is one value: start from the defaults and change what
// differs, here for a server-to-server caller that sends for all its users
// under one subject, from one IP: both quotas go up, while each contact
// keeps its cooldown and hourly cap (of which one subject takes half at
// most).
func ExampleWithLimits() {
	limits := verifier.DefaultLimits()
	limits.Subject = verifier.ClientLimits{
		Send:       limiter.Rule{Limit: 5000, Window: time.Hour},
		Verify:     limiter.Rule{Limit: 20000, Window: time.Hour},
		Deliveries: limiter.Rule{Limit: 10000, Window: time.Hour}, // provider calls, refused ones included
	}
	limits.IP = limits.Subject
	limits.RegionDaily = 10000 // SMS per region in any 24 hours
	v, err := verifier.New(notify.Discard, verifier.WithLimits(limits))
	fmt.Println(err)
	v.Close()

	limits.Send = limiter.Rule{} // the per-contact cap may not be off
	_, err = verifier.New(notify.Discard, verifier.WithLimits(limits))
	fmt.Println(err)
	// Output:
	// <nil>
	// verifier: Limits.Send may not be off
}

// When the user abandons the flow, the host withdraws the pending code.
func ExampleVerifier_Cancel() {
	outbox := &notify.Recorder{}
	v, _ := verifier.New(outbox)
	defer v.Close()
	ctx := context.Background()
	req := verifier.Request{Contact: "alice@example.com", Subject: "user-42", Purpose: "change-email"}
	v.Send(ctx, req)
	code, _ := outbox.LastCode(req.Contact)

	v.Cancel(ctx, req)
	_, err := v.Verify(ctx, req, code)
	fmt.Println(errors.Is(err, verifier.ErrWrongCode))
	// Output: true
}
