package verifier

import "io"

// WithRandomForTest replaces crypto/rand, so that tests can fix the codes.
// It lives in a _test.go file: no build of the library can use it.
func WithRandomForTest(r io.Reader) Option {
	return func(o *options) { o.rand = r }
}
