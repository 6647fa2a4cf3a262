// Package notify delivers verification codes: implementations of
// delivery.Notifier.
//
// SMTP sends email; Webhook POSTs signed JSON to any SMS gateway or service
// of the host's own, and VerifySignature checks it on the receiving side;
// Router picks a notifier per channel. Writer prints one JSON object per
// line, for development (cmd/vcoded uses it when no delivery is
// configured); Recorder keeps messages in memory, for tests; Discard drops
// them, for benchmarks.
//
// # Failures
//
// What a failure means decides what the verifier does with the send's
// limits, so these notifiers say it precisely. A failure is
// delivery.Undelivered (the code is withdrawn and the limits given back)
// only when the message certainly did not leave: the server could not be
// reached, the webhook answered 4xx or a 3xx other than 303 See Other
// (which may answer a processed POST), the mail server refused the
// message up to its answer to DATA. A timeout or a broken connection after
// the message was handed over, or a 5xx after the retries, may have
// delivered: it is reported as a plain error, and the send keeps counting
// against every limit. The webhook repeats an attempt only after a failure
// before its request was written, or after a 5xx (with the same
// message_id, for the receiver to deduplicate); never after a timeout once
// the request was written. It never follows a redirect with a code on
// board. Errors never quote a credential: URLs show their user
// information and query as "redacted".
//
// This package imports delivery for the Notifier interface and Message type
// it implements, the way a database/sql driver imports database/sql/driver;
// it never imports the verifier, nor the verifier it.
package notify
