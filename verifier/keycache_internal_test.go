package verifier

import (
	"strings"
	"testing"

	"github.com/vcodekit/vcode/notify"
)

func keyCacheVerifier(t *testing.T) *Verifier {
	t.Helper()
	v, err := New(&notify.Recorder{}, WithSecrets([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// cachedEntries counts the key cache's occupied slots.
func cachedEntries(v *Verifier) int {
	n := 0
	for i := range v.keys.slots {
		if v.keys.slots[i].Load() != nil {
			n++
		}
	}
	return n
}

// TestKeyCacheGivesTheDerivedKey: a key from the cache, on a miss and on
// a hit, is the HMAC limitKeyOf derives, so that counters are the same
// whether or not a key was cached (and across a rolling upgrade).
func TestKeyCacheGivesTheDerivedKey(t *testing.T) {
	v := keyCacheVerifier(t)
	long := strings.Repeat("s", maxCachedFields+10)
	for _, tt := range []struct{ name, limit, value string }{
		{"vsub", limitSubject, "user-42"},
		{"ssub", limitSubject, "user-42"},
		{"vip", limitIP, "192.0.2.1"},
		{"sip", limitIP, "2001:db8::/64"},
		{"dsub", limitSubject, "user-42"},
		{"dip", limitIP, "192.0.2.1"},
		{"vsub", limitSubject, long},                                // past the cache's bound: derived each time
		{"vsub", limitSubject, long[:maxCachedFields-1]},            // fields of the bound's length exactly
		{"verify-x-123456", limitSubject, long[:maxCachedFields-1]}, // the longest name at once
		{"vsub", limitSubject, ""},
	} {
		want := v.limitKey(tt.name, tt.value)
		for i := range 3 {
			if got := v.ruleKey(namedRule{name: tt.name, limit: tt.limit, value: tt.value}); got != want {
				t.Errorf("ruleKey(%s, %.20q) call %d = %q, want %q", tt.name, tt.value, i, got, want)
			}
		}
	}
	for _, sc := range [][2]string{{"user-42", "+8613612345678"}, {"user-43", "+8613612345678"}, {"user-42", "a@example.com"}} {
		var fields []byte
		want := v.limitKeyOf("verify", appendField(appendField(fields, sc[1]), sc[0]))
		for i := range 3 {
			if got := v.verifyKey(sc[0], sc[1]); got != want {
				t.Errorf("verifyKey(%q, %q) call %d = %q, want %q", sc[0], sc[1], i, got, want)
			}
		}
	}
	// The same input under two names, and two inputs under one name, are
	// different keys even when they meet in one slot.
	if v.ruleKey(namedRule{name: "vsub", limit: limitSubject, value: "x"}) == v.ruleKey(namedRule{name: "ssub", limit: limitSubject, value: "x"}) {
		t.Error("vsub and ssub of one subject share a key")
	}
}

// TestKeyCacheNeverHoldsAContactAlone: the keys of a contact alone (its
// send cap and cooldown, its deliveries, the guard's) are derived every
// time and never enter the cache: how fast one came back would tell any
// subject whether someone else used the contact lately. A send and a
// verify fill the cache with the subject's and the IP's keys and the
// subject's verify key, nothing else.
func TestKeyCacheNeverHoldsAContactAlone(t *testing.T) {
	v := keyCacheVerifier(t)
	for _, name := range []string{"send", "dcon", "gcon", "rgn"} {
		v.ruleKey(namedRule{name: name, limit: limitContact, value: "+8613612345678"})
	}
	if n := cachedEntries(v); n != 0 {
		t.Fatalf("after contact-only keys the cache holds %d entries, want 0", n)
	}
	r := Request{Contact: "+8613612345678", Subject: "user-42", ClientIP: "192.0.2.1"}
	if _, err := v.Send(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	v.Verify(t.Context(), r, "000000")
	contactKeys := map[string]bool{}
	for _, name := range []string{"send", "dcon", "gcon"} {
		contactKeys[v.limitKey(name, "+8613612345678")] = true
	}
	for i := range v.keys.slots {
		e := v.keys.slots[i].Load()
		if e == nil {
			continue
		}
		if contactKeys[e.key] {
			t.Errorf("the cache holds the contact-only key %q (%s)", e.key, e.name)
		}
		if !strings.Contains(e.fields, "user-42") && !strings.Contains(e.fields, "192.0.2.") {
			t.Errorf("the cache holds %s keyed by %q, which names neither the subject nor the IP", e.name, e.fields)
		}
	}
	// ssub, sip, dsub, dip on the send; verify, vsub, vip on the verify.
	if n := cachedEntries(v); n != 7 {
		t.Errorf("the cache holds %d entries after a send and a verify, want 7", n)
	}
}

// TestKeyCacheHitAllocatesNothing: the attack path's three limit keys,
// once cached, cost no allocation (and no HMAC).
func TestKeyCacheHitAllocatesNothing(t *testing.T) {
	v := keyCacheVerifier(t)
	rules := []namedRule{{name: "vsub", limit: limitSubject, value: "user-42"}, {name: "vip", limit: limitIP, value: "192.0.2.1"}}
	v.verifyKey("user-42", "+8613612345678")
	for _, r := range rules {
		v.ruleKey(r)
	}
	if n := testing.AllocsPerRun(100, func() {
		v.verifyKey("user-42", "+8613612345678")
		for _, r := range rules {
			v.ruleKey(r)
		}
	}); n != 0 {
		t.Errorf("cached limit keys cost %v allocations, want 0", n)
	}
}

// BenchmarkAttackLimitKeys: the three limit keys of a verify (the
// subject's for the contact, the subject's, the IP's), from the cache as
// the attack path gets them, and derived each time as before.
func BenchmarkAttackLimitKeys(b *testing.B) {
	v, err := New(&notify.Recorder{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	sub, ip := namedRule{name: "vsub", limit: limitSubject, value: "user-42"}, namedRule{name: "vip", limit: limitIP, value: "192.0.2.1"}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v.verifyKey("user-42", "+8613612345678")
			v.ruleKey(sub)
			v.ruleKey(ip)
		}
	})
	b.Run("derived", func(b *testing.B) {
		b.ReportAllocs()
		var fieldBuf [128]byte
		for b.Loop() {
			v.limitKeyOf("verify", appendField(appendField(fieldBuf[:0], "+8613612345678"), "user-42"))
			v.limitKey(sub.name, sub.value)
			v.limitKey(ip.name, ip.value)
		}
	})
}
