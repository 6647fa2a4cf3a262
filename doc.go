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
//   - verifier: Send and Verify, policy, code generation, HMAC, errors, and
//     the Notifier interface;
//   - contact: parsing, normalisation (E.164, IDNA) and masking of contacts;
//   - store: the CodeStore interface, the in-memory store, and the
//     conformance suite storetest;
//   - limiter: the exact rolling-window Limiter, its in-memory
//     implementation, and the conformance suite limitertest;
//   - i18n: the zh-CN/en-US texts and language negotiation;
//   - notify: delivery implementations.
package vcode
