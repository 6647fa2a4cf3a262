// Package notify delivers verification codes: implementations of
// verifier.Notifier.
//
// Writer prints one JSON object per line, for development (cmd/vcoded uses it
// when no delivery is configured); Recorder keeps messages in memory, for
// tests; Discard drops them, for benchmarks.
//
// This package imports verifier for the Notifier interface and Message type
// it implements, the way a database/sql driver imports database/sql/driver;
// verifier itself never imports notify.
package notify
