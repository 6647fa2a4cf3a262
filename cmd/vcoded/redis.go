package main

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The forms of -redis, as the usage and errors show them.
const (
	redisSingleForm   = "redis://[user:password@]host:port[/db][?option=value] (or rediss:// for TLS)"
	redisClusterForm  = "redis+cluster://[user:password@]host:port[,host:port...][?option=value] (or rediss+cluster://)"
	redisSentinelForm = "redis+sentinel://[user:password@]host:port[,host:port...]/master[/db][?option=value] (or rediss+sentinel://)"
)

// redisConfig is a parsed -redis URL: exactly one of the options is set.
type redisConfig struct {
	kind     string // "redis", "redis-cluster" or "redis-sentinel": the backend's name in the start line
	single   *redis.Options
	cluster  *redis.ClusterOptions
	failover *redis.FailoverOptions
}

// newRedisClient dials lazily: the URL is only parsed here.
func newRedisClient(raw string) (redis.UniversalClient, string, error) {
	cfg, err := parseRedisURL(raw)
	if err != nil {
		return nil, "", err
	}
	switch {
	case cfg.cluster != nil:
		return redis.NewClusterClient(cfg.cluster), cfg.kind, nil
	case cfg.failover != nil:
		return redis.NewFailoverClient(cfg.failover), cfg.kind, nil
	}
	return redis.NewClient(cfg.single), cfg.kind, nil
}

// parseRedisURL reads -redis in one of three forms:
//
//   - redis:// or rediss://, a single node, as redis.ParseURL reads it;
//   - redis+cluster:// or rediss+cluster://, a Redis Cluster: the seed
//     nodes comma-separated (any of them will do, the client discovers the
//     others), no database (a cluster has only 0); the user and password
//     are the nodes';
//   - redis+sentinel:// or rediss+sentinel://, a master found through Redis
//     Sentinel: the sentinels comma-separated, the master's name as the
//     path, then optionally the database; the user and password are the
//     master's (and its replicas'), and sentinels that require their own
//     take them as the options sentinel_username and sentinel_password.
//
// The options after ? are go-redis's (dial_timeout=3s, pool_size=20, ...:
// redis.ParseURL, ParseClusterURL, ParseFailoverURL). Per-operation
// timeouts of the stores bound a hung server in every form.
//
// Its errors never show the URL's user name or password. go-redis returns
// url.Parse's error as it is, which quotes the whole URL; its own errors
// quote the path or a query option, which hold a piece of the password
// when a special character in it was not percent-encoded. Those are
// replaced by messages of our own that say what is wrong, not where.
func parseRedisURL(raw string) (redisConfig, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	base, topology, _ := strings.Cut(scheme, "+")
	if !ok || (base != "redis" && base != "rediss") {
		return redisConfig{}, errors.New("-redis: the URL is not valid: " + redisSingleForm + ", " + redisClusterForm + " or " + redisSentinelForm)
	}
	var form string
	switch topology {
	case "":
		form = redisSingleForm
	case "cluster":
		form = redisClusterForm
	case "sentinel":
		form = redisSentinelForm
	default:
		return redisConfig{}, errors.New("-redis: unknown scheme: redis://, redis+cluster:// or redis+sentinel:// (rediss for TLS)")
	}
	malformed := errors.New("-redis: the URL is malformed (percent-encode special characters in the user name and password): " + form)
	invalid := errors.New("-redis: the URL is not valid: " + form)

	// The authority holds a list of hosts, which url.Parse does not take:
	// the first one stands for them all while the URL is parsed.
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, hostList := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hostList = authority[:i+1], authority[i+1:]
	}
	hosts := strings.Split(hostList, ",")
	if topology == "" && len(hosts) > 1 {
		return redisConfig{}, errors.New("-redis: a redis:// URL names one node; for several, " + redisClusterForm + " or " + redisSentinelForm)
	}
	u, err := url.Parse(base + "://" + userinfo + hosts[0] + tail)
	if err != nil || u.Opaque != "" || strings.ContainsAny(u.Path+u.RawQuery+u.Fragment, "@") {
		return redisConfig{}, malformed
	}
	for _, h := range hosts {
		if topology != "" && !isHostPort(h) {
			return redisConfig{}, errors.New("-redis: each host is host:port ([::1]:6379 for IPv6): " + form)
		}
	}

	switch topology {
	case "":
		opts, err := redis.ParseURL(u.String())
		if err != nil {
			// go-redis quotes the database number and option values,
			// which may be a password's tail.
			return redisConfig{}, invalid
		}
		opts.ContextTimeoutEnabled = true
		return redisConfig{kind: "redis", single: opts}, nil

	case "cluster":
		if u.Path != "" && u.Path != "/" {
			return redisConfig{}, errors.New("-redis: a cluster URL names no database (a cluster has only 0): " + form)
		}
		q := u.Query()
		for _, h := range hosts[1:] {
			q.Add("addr", h)
		}
		u.Path, u.RawQuery = "", q.Encode()
		opts, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return redisConfig{}, invalid
		}
		opts.ContextTimeoutEnabled = true
		return redisConfig{kind: "redis-cluster", cluster: opts}, nil
	}

	// Sentinel: go-redis's failover URL takes the sentinels' credentials
	// as its user and password, the master's in the query; ours the other
	// way round, as the master's are the ones every deployment has.
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if parts[0] == "" || len(parts) > 2 {
		return redisConfig{}, errors.New("-redis: a sentinel URL names the master, then optionally the database: " + form)
	}
	q := u.Query()
	for _, reserved := range []string{"master_name", "addr", "db", "username", "password"} {
		if q.Has(reserved) {
			return redisConfig{}, errors.New("-redis: the option " + reserved + " is given by the URL itself: " + form)
		}
	}
	q.Set("master_name", parts[0])
	if len(parts) == 2 {
		q.Set("db", parts[1])
	}
	for _, h := range hosts[1:] {
		q.Add("addr", h)
	}
	if u.User != nil {
		q.Set("username", u.User.Username())
		if p, ok := u.User.Password(); ok {
			q.Set("password", p)
		}
	}
	u.User = nil
	if q.Has("sentinel_username") || q.Has("sentinel_password") {
		u.User = url.UserPassword(q.Get("sentinel_username"), q.Get("sentinel_password"))
		q.Del("sentinel_username")
		q.Del("sentinel_password")
	}
	u.Path, u.RawQuery = "", q.Encode()
	opts, err := redis.ParseFailoverURL(u.String())
	if err != nil {
		return redisConfig{}, invalid
	}
	opts.ContextTimeoutEnabled = true
	return redisConfig{kind: "redis-sentinel", failover: opts}, nil
}

// isHostPort reports whether s is host:port with a numeric port.
func isHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || port == "" {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// evictionPolicy returns Redis's maxmemory-policy: from CONFIG GET, or,
// where CONFIG is renamed or denied (managed services, ACLs), from INFO
// memory; "" when neither answers. On a cluster, one node answers.
func evictionPolicy(ctx context.Context, client redis.UniversalClient) string {
	if m, err := client.ConfigGet(ctx, "maxmemory-policy").Result(); err == nil && m["maxmemory-policy"] != "" {
		return m["maxmemory-policy"]
	}
	info, err := client.Info(ctx, "memory").Result()
	if err != nil {
		return ""
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "maxmemory_policy:"); ok {
			return v
		}
	}
	return ""
}
