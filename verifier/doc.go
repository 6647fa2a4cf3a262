// Package verifier is the core of vcode: it issues one-time codes, hands
// them to a delivery.Notifier, and checks them.
//
// # A worked example
//
// One Verifier per process, made with New from a notifier and options; a
// Request names the contact and who asks; Send delivers a code; Verify
// checks what the user typed, once:
//
//	v, err := verifier.New(notifier, // notify.SMTP, notify.Webhook, a provider, ...
//		verifier.WithBrand("Acme"),
//		verifier.WithAllowedRegions("CN", "HK"))
//	if err != nil {
//		return err // every bad option at once, one per line
//	}
//	defer v.Close()
//
//	// The user asks for a code.
//	req := verifier.Request{Contact: phone, Subject: userID, Language: language.English}
//	sent, err := v.Send(ctx, req) // sent.NextSendAt: when "resend" may come back
//	var rl *verifier.RateLimitError
//	switch {
//	case errors.As(err, &rl):
//		return fmt.Errorf("try again in %v", rl.RetryAfter)
//	case err != nil:
//		return err
//	}
//	log.Printf("code sent to %s", sent.Contact) // masked: +86136****5678
//
//	// The user types it in: the same contact, subject and purpose.
//	_, err = v.Verify(ctx, req, typed)
//	if errors.Is(err, verifier.ErrWrongCode) {
//		return errors.New("wrong or expired code") // nil only once, for the right code
//	}
//
// In a real host v is made once at start and shared: it is safe for
// concurrent use. Cancel withdraws a pending code when the user gives up.
// Package httpmw serves Send and Verify as the two Huawei Cloud Meeting
// endpoints; package vcodetest makes a Verifier for tests, with a manual
// clock.
//
// # Errors
//
// Errors are sentinels to test with errors.Is: ErrWrongCode,
// ErrTooFrequent, ErrTooManyAttempts, ErrNoSubject, ErrInvalidCode,
// ErrPumping, ErrBackend, and those of the packages that decide them,
// contact.ErrInvalid (and the country errors) and delivery.ErrNotAllowed.
// A refusal by a limit is a *RateLimitError that says which limit and for
// how long; a failing store, limiter or notifier a *BackendError. Classify
// orders them, as httpmw does to answer over HTTP.
//
// # Options
//
// Every option has a default, so New(notifier) alone is a working
// Verifier for one process. An option only records its value; New checks
// them all and reports every problem at once, so a later option replaces
// an earlier one. By topic:
//
//   - backends: WithStore, WithLimiter and WithSecrets, which a store or
//     limiter shared by several instances requires (see "Backends" in
//     the README: redisstore and redislimiter);
//   - the code: WithCodeLength, WithValidity, WithResendSameCode;
//   - the policy: WithLimits (a Limits value, from DefaultLimits) and
//     WithGuard (the SMS pumping guard, from DefaultGuard);
//   - destinations: WithChannels, WithAllowedRegions,
//     WithNonGeographicNumbers, WithDefaultCountry;
//   - messages: WithBrand, WithCatalog;
//   - operations: WithDeliveryTimeout, WithObserver (an observe.Observer;
//     prommetrics is one), WithContactCache, WithClock.
//
// # Messages
//
// The texts come from an i18n.Catalog (WithCatalog): zh-CN, the default,
// and en-US unless the host adds languages, replaces texts with templates
// of its own or chooses another default. WithBrand puts the host's name in
// every message in each language's convention, such as the 【Acme】
// signature SMS in mainland China require. Request.Language picks the
// language, matched to the catalog.
//
// # Policy
//
// The defaults follow the published Huawei API where it speaks and common
// practice where it does not. The code's shape is an Option each
// (WithCodeLength, WithValidity); the rate limits are one value, Limits,
// given with WithLimits and starting from DefaultLimits:
//
//   - codes of 6 decimal digits (4..10), drawn from crypto/rand by rejection
//     sampling, so without modulo bias;
//   - valid for one minute (up to 10 minutes);
//   - at most 5 wrong guesses per code, after which the code is dead;
//   - at most 5 verification attempts per subject and contact in any
//     rolling minute (per subject, so that nobody else's guesses lock a
//     user out);
//   - at most one code per contact per minute and 10 per rolling hour,
//     whoever asks: the bound on messages to one phone or mailbox.
//
// Against SMS pumping beyond what quotas stop, a guard gives each
// destination prefix an allowance of unverified SMS that grows with the
// codes its users verify, and each region one for the sends its prefixes
// did not earn (see Guard). It is on by default at the standard level;
// WithGuard tunes it or switches it off. Its counts live in the Limiter,
// which judges and records a send in one atomic step.
//
// # What is stored
//
// The store never sees a code or a contact. A code is bound to its purpose,
// the subject that asked for it, and the normalised contact (the binding);
// the store keeps HMAC-SHA256(secret, binding || code) under a key that is
// itself an HMAC of the binding, and rate-limit keys are HMACs of the
// contact. A Redis dump therefore shows no phone numbers, addresses or
// codes. Secrets rotate: see WithSecrets. A store or limiter given with
// WithStore or WithLimiter requires WithSecrets: New refuses it without, as
// a random secret per process would make codes and limits per process.
//
// # Failure
//
// Every store, limiter or notifier error fails the request closed with a
// *BackendError: nothing is verified on an error.
//
// Delivery is detached from the caller's cancellation (WithDeliveryTimeout
// bounds it instead), so a client that hangs up cannot turn a message that
// left into a failure. If the notifier reports that the message certainly
// did not leave (delivery.ErrUndelivered, through delivery.Undelivered), the new code is
// deleted and the send's rate-limit events are given back, so the user is
// not held to a cooldown for a code that never reached them; only the
// deliveries (Limits.Deliveries) keep counting, so that a provider that
// refuses everything is not called without bound. Any other delivery
// failure may have sent the message: the limits stay counted and the code
// stays valid. The clean-up runs on a context detached from the request's
// cancellation; it is best effort, and a part of it that fails is reported
// to the Observer (observe.Event.Lapses), not to the caller.
//
// # Context
//
// The context given to Send and Verify is passed to every store and limiter
// call, so deadlines, cancellation and a host's tracing spans (otelhttp and
// the like) cover them. The notifier and the clean-up after a refused
// delivery get a context detached from cancellation but keeping the values
// (the spans).
//
// # Observing
//
// WithObserver's observe.Observer receives one observe.Event per call, with
// outcome, channel, region, latency and the best-effort writes that failed
// (observe.Lapse); prommetrics turns them into Prometheus metrics.
//
// # Enumeration
//
// Wrong, expired, used, exhausted and never-sent codes all return the same
// ErrWrongCode, and Verify makes the same store calls whether or not a code
// is pending; the store compares digests in constant time. Nothing on the
// verify path is shared between subjects (the parsed-contact cache and the
// attempt limit are per subject), so no subject can tell from a verify
// whether another was ever sent a code for a contact.
package verifier
