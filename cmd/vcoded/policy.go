package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/verifier"
)

// policyFlags are the flags of the rate-limit policy and the codes, each
// with an environment variable, defaulting to verifier.DefaultLimits().
type policyFlags struct {
	limits   verifier.Limits
	validity time.Duration
	brand    string
	country  string
	guard    string
	// guardAllow and guardBlock are the guard's pinned prefixes,
	// comma-separated.
	guardAllow, guardBlock string
	// guardSafeList is -guard-safe-list: verifier.Guard.SafeList.
	guardSafeList bool
	// deliveriesSet records which -limit-*-deliveries were given; the
	// others follow their -limit-*-send (see withDeliveries).
	deliveriesSet [3]bool
}

// ruleValue is a limiter.Rule as a flag: "10/1h", "5/1m", or "off".
type ruleValue struct{ r *limiter.Rule }

func (v ruleValue) String() string {
	if v.r == nil || *v.r == (limiter.Rule{}) {
		return "off"
	}
	return strconv.Itoa(v.r.Limit) + "/" + shortDuration(v.r.Window)
}

func (v ruleValue) Set(s string) error {
	if s == "off" || s == "0" {
		*v.r = limiter.Rule{}
		return nil
	}
	n, d, ok := strings.Cut(s, "/")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil {
		return fmt.Errorf("%q is not COUNT/DURATION (such as 10/1h) or off", s)
	}
	window, err := time.ParseDuration(d)
	if err != nil {
		return fmt.Errorf("%q is not COUNT/DURATION (such as 10/1h) or off", s)
	}
	*v.r = limiter.Rule{Limit: limit, Window: window}
	return nil
}

// givenRule is a ruleValue that records that it was given.
type givenRule struct {
	ruleValue
	given *bool
}

func (v givenRule) Set(s string) error {
	*v.given = true
	return v.ruleValue.Set(s)
}

// followSend is the deliveries rule beside send when no flag gave one:
// base (DefaultLimits'), or twice send over its window when base would
// admit fewer calls than that; off with send when send may be off.
func followSend(base, send limiter.Rule, mayBeOff bool) limiter.Rule {
	switch {
	case send == limiter.Rule{} && mayBeOff:
		return limiter.Rule{}
	case send.Limit < 1 || send.Window <= 0 || base.Window <= 0:
		return base // New reports the bad send rule
	}
	if windows := int64((send.Window + base.Window - 1) / base.Window); int64(base.Limit)*windows >= 2*int64(send.Limit) {
		return base
	}
	return limiter.Rule{Limit: min(2*send.Limit, 1<<30), Window: send.Window}
}

// withDeliveries is l with every deliveries rule no flag gave following
// its send rule.
func (p *policyFlags) withDeliveries() verifier.Limits {
	l, d := p.limits, verifier.DefaultLimits()
	if !p.deliveriesSet[0] {
		l.Deliveries = followSend(d.Deliveries, l.Send, false)
	}
	if !p.deliveriesSet[1] {
		l.Subject.Deliveries = followSend(d.Subject.Deliveries, l.Subject.Send, true)
	}
	if !p.deliveriesSet[2] {
		l.IP.Deliveries = followSend(d.IP.Deliveries, l.IP.Send, true)
	}
	return l
}

// shortDuration prints 1h rather than 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// addPolicyFlags defines the policy flags on fs; their defaults come from
// the environment, then from verifier.DefaultLimits. Errors in the
// environment's values are reported by parsePolicyEnv.
func addPolicyFlags(fs *flag.FlagSet) *policyFlags {
	p := &policyFlags{limits: verifier.DefaultLimits(), validity: time.Minute}
	l := &p.limits
	fs.Var(ruleValue{&l.Send}, "limit-send", "codes per contact, whoever asks, as `COUNT/DURATION` (env VCODE_LIMIT_SEND)")
	fs.DurationVar(&l.Cooldown, "limit-cooldown", l.Cooldown, "least `time` between two codes to one contact; 0 is off (env VCODE_LIMIT_COOLDOWN)")
	fs.Var(ruleValue{&l.Verify}, "limit-verify", "verification attempts per subject and contact, `COUNT/DURATION` (env VCODE_LIMIT_VERIFY)")
	fs.IntVar(&l.Guesses, "limit-guesses", l.Guesses, "wrong guesses that kill a code (env VCODE_LIMIT_GUESSES)")
	fs.Var(ruleValue{&l.Subject.Send}, "limit-subject-send", "codes one token's subject may ask for, `COUNT/DURATION` or off (env VCODE_LIMIT_SUBJECT_SEND)")
	fs.Var(ruleValue{&l.Subject.Verify}, "limit-subject-verify", "verification attempts of one subject, `COUNT/DURATION` or off (env VCODE_LIMIT_SUBJECT_VERIFY)")
	fs.Var(ruleValue{&l.IP.Send}, "limit-ip-send", "codes one client IP may ask for, `COUNT/DURATION` or off (env VCODE_LIMIT_IP_SEND)")
	fs.Var(ruleValue{&l.IP.Verify}, "limit-ip-verify", "verification attempts of one client IP, `COUNT/DURATION` or off (env VCODE_LIMIT_IP_VERIFY)")
	fs.Var(givenRule{ruleValue{&l.Deliveries}, &p.deliveriesSet[0]}, "limit-deliveries", "provider calls per contact whatever their outcome, `COUNT/DURATION`; twice -limit-send when that is more (env VCODE_LIMIT_DELIVERIES)")
	fs.Var(givenRule{ruleValue{&l.Subject.Deliveries}, &p.deliveriesSet[1]}, "limit-subject-deliveries", "provider calls of one subject, `COUNT/DURATION` or off; twice -limit-subject-send when that is more, off with it (env VCODE_LIMIT_SUBJECT_DELIVERIES)")
	fs.Var(givenRule{ruleValue{&l.IP.Deliveries}, &p.deliveriesSet[2]}, "limit-ip-deliveries", "provider calls of one client IP, `COUNT/DURATION` or off; twice -limit-ip-send when that is more, off with it (env VCODE_LIMIT_IP_DELIVERIES)")
	fs.IntVar(&l.RegionDaily, "limit-region-daily", l.RegionDaily, "SMS `codes` per region in any 24 hours; 0 is off (env VCODE_LIMIT_REGION_DAILY)")
	fs.DurationVar(&p.validity, "validity", p.validity, "how long a code is valid, at most 10m (env VCODE_VALIDITY)")
	fs.StringVar(&p.brand, "brand", "", "brand or app `name` leading every message, \"【Acme】...\" (env VCODE_BRAND)")
	fs.StringVar(&p.guard, "guard", "standard", "SMS pumping guard `level`: off, basic, standard or max (env VCODE_GUARD)")
	fs.StringVar(&p.guardAllow, "guard-allow", "", "comma-separated E.164 `prefixes` the pumping guard always lets through, \"+86138,+1650\" (env VCODE_GUARD_ALLOW)")
	fs.StringVar(&p.guardBlock, "guard-block", "", "comma-separated E.164 `prefixes` always refused, even with -guard off, \"+1900\" (env VCODE_GUARD_BLOCK)")
	fs.BoolVar(&p.guardSafeList, "guard-safe-list", false, "let a number whose last code was verified pass a spent pumping allowance once; off by default, since on an attacked prefix it tells anyone which numbers verified lately (env VCODE_GUARD_SAFE_LIST=true)")
	fs.StringVar(&p.country, "default-country", "", "Huawei `country` value in which a national number without \"country\" is read; chinaPR when empty (env VCODE_DEFAULT_COUNTRY)")
	return p
}

// policyEnv maps each policy flag to its environment variable.
var policyEnv = map[string]string{
	"limit-send": "VCODE_LIMIT_SEND", "limit-cooldown": "VCODE_LIMIT_COOLDOWN",
	"limit-verify": "VCODE_LIMIT_VERIFY", "limit-guesses": "VCODE_LIMIT_GUESSES",
	"limit-subject-send": "VCODE_LIMIT_SUBJECT_SEND", "limit-subject-verify": "VCODE_LIMIT_SUBJECT_VERIFY",
	"limit-ip-send": "VCODE_LIMIT_IP_SEND", "limit-ip-verify": "VCODE_LIMIT_IP_VERIFY",
	"limit-deliveries": "VCODE_LIMIT_DELIVERIES", "limit-subject-deliveries": "VCODE_LIMIT_SUBJECT_DELIVERIES",
	"limit-ip-deliveries": "VCODE_LIMIT_IP_DELIVERIES", "limit-region-daily": "VCODE_LIMIT_REGION_DAILY",
	"validity": "VCODE_VALIDITY", "brand": "VCODE_BRAND",
	"default-country": "VCODE_DEFAULT_COUNTRY", "guard": "VCODE_GUARD",
	"guard-allow": "VCODE_GUARD_ALLOW", "guard-block": "VCODE_GUARD_BLOCK",
	"guard-safe-list": "VCODE_GUARD_SAFE_LIST",
}

// applyPolicyEnv sets, from the environment, every policy flag the command
// line did not set: the command line wins.
func applyPolicyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, env := range policyEnv {
		if v := getenv(env); v != "" && !set[name] {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	return nil
}

// guardLevels are -guard's values.
var guardLevels = map[string]verifier.GuardLevel{
	"off": verifier.GuardOff, "basic": verifier.GuardBasic, "standard": verifier.GuardStandard, "max": verifier.GuardMax,
}

// options turns the policy into verifier options; New checks the values.
func (p *policyFlags) options() ([]verifier.Option, error) {
	level, ok := guardLevels[p.guard]
	if !ok {
		return nil, fmt.Errorf("-guard %q: want off, basic, standard or max", p.guard)
	}
	g := verifier.DefaultGuard()
	g.Level = level
	g.Allow, g.Block = splitList(p.guardAllow), splitList(p.guardBlock)
	g.SafeList = p.guardSafeList
	opts := []verifier.Option{verifier.WithLimits(p.withDeliveries()), verifier.WithValidity(p.validity), verifier.WithGuard(g)}
	if p.brand != "" {
		opts = append(opts, verifier.WithBrand(p.brand))
	}
	if p.country != "" {
		opts = append(opts, verifier.WithDefaultCountry(p.country))
	}
	return opts, nil
}
