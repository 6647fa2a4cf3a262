// Package rediskey holds what the Redis backends share: their key layout,
// their per-operation timeout and their readiness ping.
package rediskey

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Key returns prefix followed by the hex of key inside braces: any byte of
// the caller's key is safe, and the braces make it a Redis Cluster hash tag.
func Key(prefix, key string) string {
	b := make([]byte, 0, len(prefix)+2+2*len(key))
	b = append(b, prefix...)
	b = append(b, '{')
	b = hex.AppendEncode(b, []byte(key))
	return string(append(b, '}'))
}

// Bound applies an operation timeout; zero or less means none.
func Bound(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, timeout)
}

// ErrNoClient is returned by a backend built without a client.
var ErrNoClient = errors.New("nil Redis client")

// Ping reports whether Redis answers within timeout.
func Ping(ctx context.Context, client redis.UniversalClient, timeout time.Duration) error {
	if client == nil {
		return ErrNoClient
	}
	ctx, cancel := Bound(ctx, timeout)
	defer cancel()
	return client.Ping(ctx).Err()
}

// CheckNew returns every problem with a Redis backend's New arguments,
// each named for pkg ("redisstore"): noClient for a nil client, an empty
// prefix (example is one to suggest, "vcode:code:"), a prefix with a brace
// (it would change the keys' Cluster hash tag), and a timeout given
// (non-nil) that is not positive.
func CheckNew(pkg, example string, noClient error, client redis.UniversalClient, prefix string, timeout *time.Duration) error {
	var errs []error
	if client == nil {
		errs = append(errs, noClient)
	}
	switch {
	case prefix == "":
		errs = append(errs, fmt.Errorf("%s: empty key prefix: give one of the application's own, such as %q", pkg, example))
	case strings.ContainsAny(prefix, "{}"):
		errs = append(errs, fmt.Errorf("%s: key prefix %q has a brace, which would change the keys' Redis Cluster hash tag", pkg, prefix))
	}
	if timeout != nil && *timeout <= 0 {
		errs = append(errs, fmt.Errorf("%s: timeout %v is not positive", pkg, *timeout))
	}
	return errors.Join(errs...)
}
