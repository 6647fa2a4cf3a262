// Package verifier is the core of vcode: it issues one-time codes, hands
// them to a delivery.Notifier, and checks them.
//
// # Use
//
// Make one Verifier per process with New, giving it a delivery.Notifier
// (package notify has SMTP, a signed webhook for SMS gateways, a Router by
// channel, and a Recorder for tests), and Close it when done:
//
//	v, err := verifier.New(notifier, verifier.WithBrand("Acme"))
//	defer v.Close()
//	req := verifier.Request{Contact: "+86 136 1234 5678", Subject: userID, Language: language.English}
//	sent, err := v.Send(ctx, req)        // sent.NextSendAt: when "resend" may come back
//	_, err = v.Verify(ctx, req, typed)   // nil once, for the right code
//	err = v.Cancel(ctx, req)             // the user gave up
//
// Errors are sentinels to test with errors.Is (ErrWrongCode, ErrTooFrequent,
// ...); a refusal by a limit is a *RateLimitError that says which limit and
// for how long. Classify orders them, as httpmw does to answer over HTTP.
// Package vcodetest makes a Verifier for tests, with a manual clock.
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
// WithObserver receives one Event per call, with outcome, channel, region,
// latency and the best-effort writes that failed (Lapse); prommetrics turns
// them into Prometheus metrics.
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
