package redisstore

import (
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vcodekit/vcode/internal/rediskey"
)

// Option configures a Store. An option only records its value: New checks
// them all and reports every problem at once.
type Option func(*options)

// options are the values the options recorded; a nil field is an option
// not given, which New replaces with its default.
type options struct {
	timeout *time.Duration
	now     func() time.Time
}

// WithTimeout bounds each operation (default one second). A hung Redis then
// fails the request closed instead of holding it. The client must honour
// context deadlines (go-redis: ContextTimeoutEnabled), or its ReadTimeout is
// what bounds a hung server.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = &d }
}

// WithClock makes the store judge expiry by now instead of Redis's TIME.
// It exists for tests that drive time; in production every instance must
// share Redis's clock.
// A nil now is Redis's clock, the default.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// New returns a Store on client whose keys start with prefix (for example
// "vcode:code:"). It makes no network call. It refuses a nil client, an empty
// prefix, a prefix with a brace (the braces after it are the key's Redis
// Cluster hash tag, which a brace in the prefix would change) and a
// timeout that is not positive, reporting every problem at once.
func New(client redis.UniversalClient, prefix string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.check(client, prefix); err != nil {
		return nil, err
	}
	s := &Store{client: client, prefix: prefix, timeout: DefaultTimeout, now: o.now}
	if o.timeout != nil {
		s.timeout = *o.timeout
	}
	return s, nil
}

// check returns every problem with client, prefix and the options.
func (o *options) check(client redis.UniversalClient, prefix string) error {
	return rediskey.CheckNew("redisstore", "vcode:code:", errNoClient, client, prefix, o.timeout)
}
