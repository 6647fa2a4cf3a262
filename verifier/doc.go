// Package verifier is the core of vcode: it issues one-time codes, hands
// them to a Notifier, and checks them.
//
// # Policy
//
// The defaults follow the published Huawei API where it speaks and common
// practice where it does not; every one is an Option:
//
//   - codes of 6 decimal digits (4..10), drawn from crypto/rand by rejection
//     sampling, so without modulo bias;
//   - valid for one minute (up to 10 minutes; WithLongValidity for more);
//   - at most 5 wrong guesses per code, after which the code is dead;
//   - at most 5 verification attempts per contact in any rolling minute;
//   - at most one code per contact per minute and 10 per rolling hour.
//
// # What is stored
//
// The store never sees a code or a contact. A code is bound to its purpose,
// the subject that asked for it, and the normalised contact (the binding);
// the store keeps HMAC-SHA256(secret, binding || code) under a key that is
// itself an HMAC of the binding, and rate-limit keys are HMACs of the
// contact. A Redis dump therefore shows no phone numbers, addresses or
// codes. Secrets rotate: see WithSecrets.
//
// # Failure
//
// Every store, limiter or notifier error fails the request closed with a
// *BackendError: nothing is verified on an error. If delivery fails, the new
// code is deleted and the send's rate-limit events are given back, so the
// user is not held to a cooldown for a code that never reached them. The
// clean-up runs on a context detached from the request's cancellation.
//
// # Context
//
// The context given to Send and Verify is passed to every store, limiter and
// notifier call, so deadlines, cancellation and a host's tracing spans
// (otelhttp and the like) cover them. Clean-up after a failed delivery runs
// on a context detached from cancellation but keeping the values.
//
// # Observing
//
// WithObserver receives one Event per call, with outcome, channel, region and
// latency; prommetrics turns them into Prometheus metrics.
//
// # Enumeration
//
// Wrong, expired, used, exhausted and never-sent codes all return the same
// ErrWrongCode, and Verify makes the same store calls whether or not a code
// is pending; the store compares digests in constant time.
package verifier
