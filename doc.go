// Package vcode sends one-time verification codes to a mobile number or an
// email address and verifies them.
//
// vcode is a library: a Go web application imports it and mounts its
// http.Handler, which serves the two Huawei Cloud Meeting endpoints
//
//	POST /v1/usg/dcs/member/verification-code         (send a code)
//	POST /v1/usg/dcs/member/verification-code/verify  (verify it)
//
// wire-compatible with the published API, in zh-CN and en-US. Storage, rate
// limiting and delivery are interfaces, in memory by default and in Redis
// for several instances.
//
// The core works without HTTP:
//
//	outbox := &notify.Recorder{} // or an SMS/email notifier
//	v, err := verifier.New(outbox)
//	if err != nil { ... }
//	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42"}
//	if _, err := v.Send(ctx, req); err != nil { ... }
//	// later, with the code the user typed:
//	_, err = v.Verify(ctx, req, "753927") // nil, or errors.Is(err, verifier.ErrWrongCode), ...
//
// The packages, along the data path:
//
//   - verifier: Send and Verify, policy, code generation, HMAC, errors;
//   - delivery: the contract between the verifier and what delivers its
//     codes (Message, Notifier, Undelivered), which imports no other vcode
//     package;
//   - observe: the contract between the verifier and what watches it
//     (Event, Outcome, Lapse, Observer), on delivery alone;
//   - contact: parsing, normalisation (E.164, IDNA) and masking of contacts;
//   - httpmw: the two endpoints as an http.Handler and middleware;
//   - store: the CodeStore interface, the in-memory store, the conformance
//     suite storetest, and store/redisstore for several instances;
//   - limiter: the exact rolling-window Limiter, its in-memory
//     implementation, the conformance suite limitertest, and
//     limiter/redislimiter;
//   - i18n: the message and error texts as catalogs (zh-CN and en-US
//     built in, brand, templates, languages of the host's own) and
//     language negotiation;
//   - notify: delivery (SMTP, signed webhook, router, writer, recorder);
//   - prommetrics: Prometheus metrics from the verifier's observe.Event
//     and the handler's httpmw.RequestEvent;
//   - vcodetest: a manual clock and a ready Verifier for the host's tests.
//
// # Configuration
//
// Every package configures the same way, with functional options:
// New(required arguments, opts ...Option) (*T, error), all of a package's
// options in its options.go. An option only records its value; New checks
// every value in one place and reports every problem at once (errors.Join,
// one per line), and an option left out means its documented default. We
// chose options over config structs because most hosts set two or three
// of the verifier's many settings: New(notifier) alone is a working
// Verifier, a call shows only what differs from the defaults, and a
// setting added later breaks no caller. Where values belong together they
// are one option taking a struct (verifier.WithLimits, verifier.WithGuard),
// whose zero fields keep their documented meaning. A constructor whose
// options cannot be wrong (store.NewMemory, limiter.NewMemory) returns no
// error.
//
// cmd/vcoded runs the endpoints on their own; cmd/vcodeload measures them;
// cmd/vcodesim measures the SMS pumping guard on a simulated day.
// SECURITY.md states what vcode guarantees and which test shows it.
package vcode
