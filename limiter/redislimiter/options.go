package redislimiter

import (
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vcodekit/vcode/internal/rediskey"
)

// Option configures a Limiter. An option only records its value: New checks
// them all and reports every problem at once.
type Option func(*options)

// options are the values the options recorded; a nil field is an option
// not given, which New replaces with its default.
type options struct {
	timeout *time.Duration
	now     func() time.Time
}

// WithTimeout bounds each operation (default one second). The client must
// honour context deadlines (go-redis: ContextTimeoutEnabled), or its
// ReadTimeout is what bounds a hung server.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = &d }
}

// WithClock replaces Redis's clock with now, for tests that drive time.
// A nil now is Redis's clock, the default.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// New returns a Limiter on client whose keys start with prefix (for example
// "vcode:limit:"). It makes no network call. It refuses a nil client, an empty
// prefix, a prefix with a brace (the braces after it are the key's Redis
// Cluster hash tag, which a brace in the prefix would change) and a
// timeout that is not positive, reporting every problem at once.
func New(client redis.UniversalClient, prefix string, opts ...Option) (*Limiter, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.check(client, prefix); err != nil {
		return nil, err
	}
	l := &Limiter{client: client, prefix: prefix, timeout: DefaultTimeout, now: o.now}
	if o.timeout != nil {
		l.timeout = *o.timeout
	}
	return l, nil
}

// check returns every problem with client, prefix and the options.
func (o *options) check(client redis.UniversalClient, prefix string) error {
	return rediskey.CheckNew("redislimiter", "vcode:limit:", errNoClient, client, prefix, o.timeout)
}
