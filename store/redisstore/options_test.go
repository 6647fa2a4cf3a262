package redisstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/store/redisstore"
)

// TestNewRefusesNonsense: New checks its arguments and options and reports
// every problem at once; a valid prefix and timeout pass.
func TestNewRefusesNonsense(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // New makes no network call
	defer client.Close()
	for _, tt := range []struct {
		name   string
		client redis.UniversalClient
		prefix string
		opts   []redisstore.Option
		want   []string // one line of New's error each; none: accepted
	}{
		{"valid", client, "vcode:", []redisstore.Option{redisstore.WithTimeout(time.Second), redisstore.WithClock(nil)}, nil},
		{"empty prefix", client, "", nil, []string{"empty key prefix"}},
		{"a brace", client, "vcode:{x}:", nil, []string{"brace"}},
		{"zero timeout", client, "vcode:", []redisstore.Option{redisstore.WithTimeout(0)}, []string{"timeout 0s"}},
		{"a bad timeout replaced", client, "vcode:", []redisstore.Option{redisstore.WithTimeout(-1), redisstore.WithTimeout(time.Second)}, nil},
		{"everything", nil, "", []redisstore.Option{redisstore.WithTimeout(-time.Second)}, []string{"nil client", "empty key prefix", "timeout -1s"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := redisstore.New(tt.client, tt.prefix, tt.opts...)
			if tt.want == nil {
				if err != nil || got == nil {
					t.Fatalf("New = %v, %v; want a value", got, err)
				}
				return
			}
			if err == nil || got != nil {
				t.Fatalf("New = %v, %v; want an error", got, err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("New: %v\nwant one line for each of %q", err, tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("problem %d: %q, want %q", i, lines[i], w)
				}
			}
		})
	}
}
