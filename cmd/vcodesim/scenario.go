package main

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vcodekit/vcode/contact"
)

// The scenario: who sends what, when, drawn once from the seed and replayed
// against every protection level. Nothing in it depends on how the
// verifier answers; the reactions to answers (retries, resends after an
// expired code) are decided by the simulator from draws made here.

// region is one country of the legitimate traffic.
type region struct {
	iso    string
	cc     string  // calling code, digits
	natLen []int   // national number lengths to try
	utc    float64 // UTC offset of most of its users, hours
	weight float64 // share of the users
	finish float64 // share of users who verify (the region's conversion)
	starts []string
}

// span lists the 3-digit national starts from..to (inclusive).
func span(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func words(s string) []string { return strings.Fields(s) }

// every keeps every n-th element of s.
func every(s []string, n int) []string {
	var out []string
	for i := 0; i < len(s); i += n {
		out = append(out, s[i])
	}
	return out
}

// regions is the legitimate traffic's geography. Every start is checked
// with contact.Parse; starts whose numbers phonenumbers does not take as
// mobile are dropped.
var regions = []region{
	{"CN", "86", []int{11}, 8, 0.40, 0.88, words("130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 166 172 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 195 197 198 199")},
	{"US", "1", []int{10}, -5, 0.13, 0.84, words("201 202 203 205 206 207 208 210 212 213 214 215 216 217 224 225 234 239 240 248 256 262 267 281 301 302 303 304 305 310 312 313 314 315 317 318 319 323 330 334 336 346 347 352 360 404 405 407 408 410 412 414 415 417 424 425 435 440 469 470 478 480 484 502 503 504 505 512 513 516 520 530 540 541 551 559 561 562 571 585 602 609 610 612 614 615 617 619 626 631 646 650 678 702 703 704 713 714 718 720 732 754 757 773 786 801 813 818 832 847 858 904 909 916 917 919 925 949 954 972")},
	{"IN", "91", []int{10}, 5.5, 0.10, 0.74, append(append(span(700, 709), span(720, 739)...), append(span(800, 819), span(880, 899)...)...)},
	{"ID", "62", []int{10, 11, 12}, 7, 0.06, 0.72, words("811 812 813 814 815 821 822 823 831 832 833 838 851 852 853 855 856 857 858 859 877 878 881 882 883 895 896 897 898 899")},
	{"BR", "55", []int{11}, -3, 0.06, 0.76, words("119 129 139 149 159 169 179 189 199 219 229 249 279 289 319 329 339 349 359 379 389 419 429 439 449 459 469 479 489 499 519 539 549 559 619 629 649 659 669 679 689 699 719 739 749 759 779 799 819 829 839 849 859 869 879 889 899 919 929 939 949 959 969 979 989 999")},
	{"GB", "44", []int{10}, 0, 0.04, 0.86, append(span(740, 759), span(770, 799)...)},
	{"DE", "49", []int{11, 10}, 1, 0.03, 0.87, words("151 152 155 157 159 160 162 163 170 171 172 173 174 175 176 177 178 179")},
	{"FR", "33", []int{9}, 1, 0.03, 0.86, append(every(span(600, 699), 3), every(span(750, 789), 5)...)},
	{"JP", "81", []int{10}, 9, 0.03, 0.90, append(append(span(701, 709), span(801, 809)...), span(901, 909)...)},
	{"MX", "52", []int{10}, -6, 0.02, 0.78, words("221 222 229 331 332 333 442 449 551 552 553 554 555 556 558 614 656 662 664 667 686 722 744 811 812 818 833 871 951 998 999")},
	{"NG", "234", []int{10}, 1, 0.02, 0.70, words("703 706 708 802 803 805 806 807 808 809 810 811 812 813 814 815 816 817 818 903 905 906 907 908 909 913 915 916")},
	{"PH", "63", []int{10}, 8, 0.02, 0.75, append(span(905, 930), every(span(945, 979), 2)...)},
	{"VN", "84", []int{9}, 7, 0.02, 0.78, every(words("326 327 328 329 332 333 334 335 336 337 338 339 356 357 358 359 703 706 707 708 764 765 766 767 768 769 776 777 778 779 783 784 785 786 812 813 814 815 816 817 818 819 824 825 826 827 828 829 856 858 862 865 868 869 886 888 889 901 903 904 906 907 908 909 912 913 914 915 916 917 918 919 936 937 938 939 941 942 943 944 945 946 947 948 949 961 962 963 964 965 966 967 968 969 971 972 973 974 975 976 977 978 979 981 982 983 984 985 986 987 988 989"), 3)},
	{"RU", "7", []int{10}, 3, 0.02, 0.80, append(every(span(900, 939), 2), every(span(950, 999), 3)...)},
	{"TR", "90", []int{10}, 3, 0.01, 0.80, append(span(501, 507), every(span(530, 559), 2)...)},
	{"EG", "20", []int{10}, 2, 0.01, 0.74, words("100 101 102 106 109 111 112 114 115 120 122 127 128 150 155")},
	{"PK", "92", []int{10}, 5, 0.01, 0.72, every(span(300, 349), 2)},
}

// campaignSpec describes one pumping campaign before scaling.
type campaignSpec struct {
	name, shape string
	targets     []target
}

// target is one prefix of a campaign.
type target struct {
	prefix   string        // "+" calling code and 3 national digits
	cc       string        // its calling code
	natLen   []int         // national number lengths to try
	start    time.Duration // after midnight UTC of the measured day
	length   time.Duration // spread of its sends
	sends    int           // at -scale 1
	verifies float64       // share of its codes the pumper verifies
	// A prefix shared with legitimate users: the rank-th busiest of the
	// region iso (prefix is then empty).
	iso  string
	rank int
	note string
}

const h = time.Hour

// campaignSpecs are the pumping campaigns. The small-country prefixes get
// no legitimate traffic; the big-country ones share their prefix with
// legitimate users.
var campaignSpecs = []campaignSpec{
	{"burst", "500 sends per prefix within 45 min (~11/min), ~0 % verified", []target{
		{"+371291", "371", []int{8}, 1 * h, 45 * time.Minute, 500, 0, "", 0, "Latvia"},
		{"+996555", "996", []int{9}, 3*h + 20*time.Minute, 45 * time.Minute, 500, 0, "", 0, "Kyrgyzstan"},
		{"+252615", "252", []int{9}, 6*h + 40*time.Minute, 45 * time.Minute, 500, 0, "", 0, "Somalia"},
		{"+675709", "675", []int{8}, 10*h + 10*time.Minute, 45 * time.Minute, 500, 0, "", 0, "Papua New Guinea"},
		{"", "", []int{}, 13*h + 30*time.Minute, 45 * time.Minute, 500, 0, "ID", 3, ""},
		{"", "", []int{}, 18*h + 50*time.Minute, 45 * time.Minute, 500, 0, "NG", 2, ""},
	}},
	{"drip", "8 sends/h per prefix for 16 h (128 each), ~0 % verified", []target{
		{"+992918", "992", []int{9}, 2 * h, 16 * h, 128, 0, "", 0, "Tajikistan"},
		{"+993651", "993", []int{8}, 2*h + 15*time.Minute, 16 * h, 128, 0, "", 0, "Turkmenistan"},
		{"+994505", "994", []int{9}, 2*h + 30*time.Minute, 16 * h, 128, 0, "", 0, "Azerbaijan"},
		{"+224620", "224", []int{9}, 2*h + 45*time.Minute, 16 * h, 128, 0, "", 0, "Guinea"},
		{"+960777", "960", []int{7}, 3 * h, 16 * h, 128, 0, "", 0, "Maldives"},
		{"+976991", "976", []int{8}, 3*h + 15*time.Minute, 16 * h, 128, 0, "", 0, "Mongolia"},
		{"", "", []int{}, 3*h + 30*time.Minute, 16 * h, 128, 0, "IN", 5, ""},
		{"", "", []int{}, 3*h + 45*time.Minute, 16 * h, 128, 0, "BR", 4, ""},
	}},
	{"partial", "40 sends/h per prefix for 8 h (320 each), 10-30 % verified", []target{
		{"+998901", "998", []int{9}, 5 * h, 8 * h, 320, 0.10, "", 0, "Uzbekistan"},
		{"+375291", "375", []int{9}, 5*h + 40*time.Minute, 8 * h, 320, 0.15, "", 0, "Belarus"},
		{"+964770", "964", []int{10}, 6*h + 20*time.Minute, 8 * h, 320, 0.25, "", 0, "Iraq"},
		{"", "", []int{}, 7 * h, 8 * h, 320, 0.30, "EG", 1, ""},
	}},
	{"spread", "480 sends within 45 min over 40 prefixes of one region (12 each), ~0 % verified", spreadTargets(
		"+256", "256", []int{9}, 15*h+20*time.Minute, 45*time.Minute, 12, "Uganda",
		"700 701 702 703 704 705 706 707 708 709 750 751 752 753 754 755 756 757 758 759 "+
			"770 771 772 773 774 775 776 777 778 779 780 781 782 783 784 785 786 787 788 789")},
	// Not in the default scenario: pumping hidden in the busiest prefixes,
	// to show what the guard cannot see.
	{"blend", "20 sends/h for 18 h into the busiest CN and US prefixes, ~0 % verified", []target{
		{"", "", []int{}, 3 * h, 18 * h, 360, 0, "CN", 1, ""},
		{"", "", []int{}, 3 * h, 18 * h, 360, 0, "US", 1, ""},
	}},
}

// defaultCampaigns are the default scenario's, the one -check judges: the
// fast campaigns that the guard is tuned to stop. The slow drip and the
// partly verifying campaigns (-campaigns burst,drip,partial) are where it
// loses ground, reported rather than judged.
var defaultCampaigns = []string{"burst", "spread"}

// spreadTargets is a campaign's targets spread over many prefixes of one
// region: cc's national prefixes nats, each with sends of its own.
func spreadTargets(plus, cc string, natLen []int, start, length time.Duration, sends int, note, nats string) []target {
	var ts []target
	for _, n := range words(nats) {
		ts = append(ts, target{plus + n, cc, natLen, start, length, sends, 0, "", 0, note})
	}
	return ts
}

// prefix is one legitimate prefix with its share of the traffic.
type prefix struct {
	key    string // "+86138"
	region *region
	natLen []int
	weight float64 // share of all users
}

// user is one legitimate user's session: one send, maybe more, maybe a
// verify.
type user struct {
	id       int
	at       time.Duration // first send, from midnight UTC of the measured day
	counted  bool          // in the measured day (not warm-up)
	prefix   *prefix
	number   string
	subject  string
	ip       string
	finish   bool          // verifies, eventually
	delay    time.Duration // send to verify
	delay2   time.Duration // a resend to its verify
	resend   time.Duration // a resend for a slow SMS after this long; 0: none
	giveUp   int           // gives up after this many sends
	jitter   time.Duration // extra wait on a retry
	rngState uint64
}

// pumpSend is one pumped send.
type pumpSend struct {
	at       time.Duration
	campaign int
	target   int
	number   string
	subject  string
	ip       string
	verify   bool
	delay    time.Duration
}

type campaign struct {
	spec    campaignSpec
	targets []target
}

type scenario struct {
	seed      uint64
	users     []user
	prefixes  []*prefix
	campaigns []campaign
	pumps     []pumpSend
	warmup    time.Duration
	busy      *prefix // the busy prefix of busySpec, if any
	// assumptions, for printing
	regionUsers map[string]int
	dropped     []string
}

// hourly is the users' daily cycle by local hour: night low, day high.
var hourly = [24]float64{0.25, 0.15, 0.10, 0.08, 0.08, 0.12, 0.30, 0.60, 0.90, 1.10, 1.20, 1.25, 1.20, 1.20, 1.25, 1.25, 1.20, 1.15, 1.10, 1.15, 1.20, 1.10, 0.80, 0.50}

func drawHour(r *rand.Rand) float64 {
	total := 0.0
	for _, w := range hourly {
		total += w
	}
	x := r.Float64() * total
	for i, w := range hourly {
		if x < w {
			return float64(i) + x/w
		}
		x -= w
	}
	return 23.999
}

func randomDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// number draws a valid mobile number under key ("+86138") of one of the
// national lengths, or "" after tries failures.
func number(r *rand.Rand, key, cc string, natLen []int, tries int) string {
	start := key[1+len(cc):]
	for range tries {
		n := natLen[r.IntN(len(natLen))]
		raw := key + randomDigits(r, n-len(start))
		c, err := contact.Parse(raw, "")
		if err == nil && c.Value == raw {
			return raw
		}
	}
	return ""
}

type scenarioConfig struct {
	seed      uint64
	users     int
	scale     float64
	warmup    time.Duration
	campaigns []string
	// busy adds real users on one prefix of their own, not scaled.
	busy *busySpec
}

// busySpec is a prefix busy with real users: users a day (and the same
// rate in the warm-up), each converting with probability finish, in the
// region iso's daily cycle.
type busySpec struct {
	prefix string
	iso    string
	users  int
	finish float64
	// returning is the share of the measured day's users who are
	// returning ones (logins): each comes back with the number, subject
	// and address of a warm-up user who verified, 6 hours after that
	// user's send at the soonest, while there are any.
	returning float64
}

// returning makes about share of us's counted users returning ones: each
// takes the number, subject and address of a warm-up user of us who
// verifies, sent at least 6 hours before it, each warm-up user once.
func returning(us []user, share float64) {
	var warm, counted []int
	for i, u := range us {
		switch {
		case !u.counted && u.finish:
			warm = append(warm, i)
		case u.counted:
			counted = append(counted, i)
		}
	}
	slices.SortFunc(warm, func(a, b int) int { return int(us[a].at - us[b].at) })
	slices.SortFunc(counted, func(a, b int) int { return int(us[a].at - us[b].at) })
	step := 0
	if share > 0 {
		step = max(1, int(math.Round(1/share)))
	}
	for k, w := 0, 0; step > 0 && k < len(counted) && w < len(warm); k += step {
		u := &us[counted[k]]
		if u.at-us[warm[w]].at < 6*time.Hour {
			continue
		}
		from := us[warm[w]]
		u.number, u.subject, u.ip = from.number, from.subject, from.ip
		w++
	}
}

func newScenario(cfg scenarioConfig) (*scenario, error) {
	r := rand.New(rand.NewPCG(cfg.seed, 0x5eed))
	sc := &scenario{seed: cfg.seed, warmup: cfg.warmup, regionUsers: map[string]int{}}

	// Prefixes: those whose numbers parse, weighted by region share and a
	// Zipf skew within the region (rank order shuffled by the seed).
	for i := range regions {
		rg := &regions[i]
		var ok []*prefix
		for _, s := range rg.starts {
			key := "+" + rg.cc + s
			if number(r, key, rg.cc, rg.natLen, 60) == "" {
				sc.dropped = append(sc.dropped, key)
				continue
			}
			ok = append(ok, &prefix{key: key, region: rg, natLen: rg.natLen})
		}
		r.Shuffle(len(ok), func(i, j int) { ok[i], ok[j] = ok[j], ok[i] })
		sum := 0.0
		for k := range ok {
			sum += 1 / float64(k+1)
		}
		for k, p := range ok {
			p.weight = rg.weight / sum / float64(k+1)
		}
		sc.prefixes = append(sc.prefixes, ok...)
	}
	total := 0.0
	for _, p := range sc.prefixes {
		total += p.weight
	}
	cum := make([]float64, len(sc.prefixes))
	acc := 0.0
	for i, p := range sc.prefixes {
		p.weight /= total
		acc += p.weight
		cum[i] = acc
	}
	pick := func(r *rand.Rand) *prefix {
		i := sort.SearchFloat64s(cum, r.Float64())
		return sc.prefixes[min(i, len(cum)-1)]
	}

	// Users: the measured day, and the warm-up before it.
	day := int(math.Round(float64(cfg.users) * cfg.scale))
	warm := int(math.Round(float64(day) * float64(cfg.warmup) / float64(24*h)))
	used := map[string]bool{}
	// Carrier-grade NAT: some users share an address with others.
	natPool := max(20, day/100)
	// user draws user i on prefix p; it converts with probability finish.
	user := func(i int, p *prefix, counted bool, finish float64) (user, error) {
		u := user{id: i, counted: counted, prefix: p}
		rg := p.region
		// Local time from the daily cycle, in UTC.
		for {
			tod := math.Mod(drawHour(r)-rg.utc+48, 24)
			at := time.Duration(tod * float64(h))
			if u.counted {
				u.at = at
				break
			}
			// Warm-up: the latest occurrence of that time of day before
			// midnight that lies in the warm-up.
			if at-24*h >= -cfg.warmup {
				u.at = at - 24*h
				break
			}
		}
		for {
			u.number = number(r, p.key, rg.cc, p.natLen, 500)
			if u.number == "" {
				return u, fmt.Errorf("no valid number under %s", p.key)
			}
			if !used[u.number] {
				used[u.number] = true
				break
			}
		}
		u.subject = fmt.Sprintf("user-%d", i)
		if r.Float64() < 0.10 {
			u.ip = fmt.Sprintf("100.64.%d.%d", (i%natPool)/250, (i%natPool)%250+1)
		} else {
			u.ip = fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff) // a /64 of its own
		}
		u.finish = r.Float64() < finish
		// Most read the SMS and type the code within a minute; some take
		// longer, find it expired and ask again.
		if r.Float64() < 0.85 {
			u.delay = time.Duration(10+r.IntN(45)) * time.Second
		} else {
			u.delay = time.Duration(55+r.IntN(66)) * time.Second
		}
		u.delay2 = time.Duration(10+r.IntN(30)) * time.Second
		// A few ask again when the SMS is slow; more of those who never
		// finish do (the SMS never came).
		p2 := 0.04
		if !u.finish {
			p2 = 0.25
		}
		if r.Float64() < p2 {
			u.resend = time.Duration(60+r.IntN(60)) * time.Second
		}
		u.giveUp = 3
		u.jitter = time.Duration(1+r.IntN(10)) * time.Second
		u.rngState = r.Uint64()
		return u, nil
	}
	for i := range day + warm {
		p := pick(r)
		u, err := user(i, p, i < day, p.region.finish)
		if err != nil {
			return nil, err
		}
		sc.users = append(sc.users, u)
		if u.counted {
			sc.regionUsers[p.region.iso]++
		}
	}

	// The campaigns.
	ranked := func(iso string, rank int) *prefix {
		var ps []*prefix
		for _, p := range sc.prefixes {
			if p.region.iso == iso {
				ps = append(ps, p)
			}
		}
		slices.SortStableFunc(ps, func(a, b *prefix) int { return cmp.Compare(b.weight, a.weight) })
		return ps[min(rank, len(ps))-1]
	}
	for _, name := range cfg.campaigns {
		i := slices.IndexFunc(campaignSpecs, func(c campaignSpec) bool { return c.name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown campaign %q", name)
		}
		spec := campaignSpecs[i]
		c := campaign{spec: spec}
		for _, t := range spec.targets {
			if t.iso != "" {
				p := ranked(t.iso, t.rank)
				t.prefix, t.cc, t.natLen = p.key, p.region.cc, p.natLen
				t.note = fmt.Sprintf("%s, its no. %d prefix (shared)", p.region.iso, t.rank)
			}
			c.targets = append(c.targets, t)
		}
		sc.campaigns = append(sc.campaigns, c)
	}
	seen := map[string]bool{}
	for _, c := range sc.campaigns {
		for _, t := range c.targets {
			if seen[t.prefix] {
				return nil, fmt.Errorf("prefix %s is in two campaigns", t.prefix)
			}
			seen[t.prefix] = true
		}
	}
	for ci, c := range sc.campaigns {
		var sends []pumpSend
		for ti, t := range c.targets {
			cc := t.cc
			n := int(math.Round(float64(t.sends) * cfg.scale))
			for range n {
				s := pumpSend{
					at:       t.start + time.Duration(r.Int64N(int64(t.length))),
					campaign: ci,
					target:   ti,
					number:   number(r, t.prefix, cc, t.natLen, 1000),
					verify:   r.Float64() < t.verifies,
					delay:    time.Duration(8+r.IntN(30)) * time.Second,
				}
				if s.number == "" {
					return nil, fmt.Errorf("campaign %s: no number under %s", c.spec.name, t.prefix)
				}
				sends = append(sends, s)
			}
		}
		// Accounts and addresses rotate so that each stays well within
		// its quotas: a fresh subject every 8 sends, a fresh IP every 30,
		// a fresh number (nearly) every send.
		slices.SortStableFunc(sends, func(a, b pumpSend) int { return int(a.at - b.at) })
		for k := range sends {
			sends[k].subject = fmt.Sprintf("%s-acct-%d", c.spec.name, k/8)
			sends[k].ip = fmt.Sprintf("2001:db8:%x:%x::1", 0xf000+ci, k/30) // a /64 each
		}
		sc.pumps = append(sc.pumps, sends...)
	}

	// The busy prefix's users, drawn last: the rest of the scenario is
	// the same with or without them.
	if b := cfg.busy; b != nil {
		i := slices.IndexFunc(regions, func(rg region) bool { return rg.iso == b.iso })
		if i < 0 {
			return nil, fmt.Errorf("busy prefix %s: unknown region %q", b.prefix, b.iso)
		}
		p := &prefix{key: b.prefix, region: &regions[i], natLen: regions[i].natLen}
		warm := int(math.Round(float64(b.users) * float64(cfg.warmup) / float64(24*h)))
		base := len(sc.users)
		for k := range b.users + warm {
			u, err := user(base+k, p, k < b.users, b.finish)
			if err != nil {
				return nil, err
			}
			sc.users = append(sc.users, u)
			if u.counted {
				sc.regionUsers[b.iso]++
			}
		}
		returning(sc.users[base:], b.returning)
		sc.busy = p
	}
	return sc, nil
}

// legitPerDay returns, for each prefix key, the legitimate users of the
// measured day.
func (sc *scenario) legitPerDay() map[string]int {
	m := map[string]int{}
	for _, u := range sc.users {
		if u.counted {
			m[u.prefix.key]++
		}
	}
	return m
}
