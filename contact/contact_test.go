package contact

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, raw, country string
		want               Contact
		err                error
	}{
		{name: "international CN", raw: "+8613612345678",
			want: Contact{Kind: Phone, Value: "+8613612345678", Region: "CN", CallingCode: 86}},
		{name: "international with explicit country", raw: "+8613612345678", country: "chinaPR",
			want: Contact{Kind: Phone, Value: "+8613612345678", Region: "CN", CallingCode: 86}},
		{name: "national defaults to chinaPR", raw: "13612345678",
			want: Contact{Kind: Phone, Value: "+8613612345678", Region: "CN", CallingCode: 86}},
		{name: "national in given country", raw: "(415) 555-2671", country: "usa",
			want: Contact{Kind: Phone, Value: "+14155552671", Region: "US", CallingCode: 1}},
		{name: "separators folded", raw: "+86 136-1234.5678",
			want: Contact{Kind: Phone, Value: "+8613612345678", Region: "CN", CallingCode: 86}},
		{name: "full-width digits and plus", raw: "＋８６１３６１２３４５６７８",
			want: Contact{Kind: Phone, Value: "+8613612345678", Region: "CN", CallingCode: 86}},
		{name: "ideographic space", raw: "136\u30001234\u30005678",
			want: Contact{Kind: Phone, Value: "+8613612345678", Region: "CN", CallingCode: 86}},
		{name: "00 prefix", raw: "008613612345678",
			want: Contact{Kind: Phone, Value: "+8613612345678", Region: "CN", CallingCode: 86}},
		{name: "UK mobile", raw: "+44 7400 123456", country: "UK",
			want: Contact{Kind: Phone, Value: "+447400123456", Region: "GB", CallingCode: 44}},
		{name: "NANP territory by dialing code", raw: "+1 876 210 1234", country: "jamaica",
			want: Contact{Kind: Phone, Value: "+18762101234", Region: "JM", CallingCode: 1}},
		{name: "Dominican Republic second area code matches by region", raw: "+1 829 234 5678", country: "dominica",
			want: Contact{Kind: Phone, Value: "+18292345678", Region: "DO", CallingCode: 1}},
		{name: "international without country taken as is", raw: "+447400123456",
			want: Contact{Kind: Phone, Value: "+447400123456", Region: "GB", CallingCode: 44}},
		{name: "email lower-cased", raw: "Alice.Smith@Example.COM",
			want: Contact{Kind: Email, Value: "alice.smith@example.com"}},
		{name: "email IDNA domain", raw: "user@bücher.example",
			want: Contact{Kind: Email, Value: "user@xn--bcher-kva.example"}},
		{name: "email ignores country unless unknown", raw: "a@example.com", country: "usa",
			want: Contact{Kind: Email, Value: "a@example.com"}},

		{name: "empty", raw: "", err: ErrInvalid},
		{name: "too long", raw: strings.Repeat("1", 256), err: ErrInvalid},
		{name: "letters", raw: "+86136abc5678", err: ErrInvalid},
		{name: "plus in the middle", raw: "86+13612345678", err: ErrInvalid},
		{name: "too short", raw: "+8612", err: ErrInvalid},
		{name: "fixed line is not mobile", raw: "+861012345678", err: ErrInvalid},
		{name: "invalid CN number", raw: "+8610000000000000", err: ErrInvalid},
		{name: "only separators", raw: " - ", err: ErrInvalid},
		{name: "arabic-indic digits", raw: "١٣٦١٢٣٤٥٦٧٨", err: ErrInvalid},
		{name: "invalid UTF-8", raw: "\xff\xfe", err: ErrInvalid},
		{name: "NUL", raw: "+86136\x0012345678", err: ErrInvalid},
		{name: "email without domain", raw: "alice@", err: ErrInvalid},
		{name: "email without local", raw: "@example.com", err: ErrInvalid},
		{name: "email with space", raw: "al ice@example.com", err: ErrInvalid},
		{name: "email too long", raw: strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".com", err: ErrInvalid},
		{name: "script in contact", raw: "<script>alert(1)</script>@x.com", err: ErrInvalid},
		{name: "SQL in contact", raw: "' OR 1=1 --", err: ErrInvalid},

		{name: "unknown country", raw: "+8613612345678", country: "China", err: ErrUnknownCountry},
		{name: "country is case-sensitive", raw: "13612345678", country: "CHINAPR", err: ErrUnknownCountry},
		{name: "unknown country with email", raw: "a@example.com", country: "narnia", err: ErrUnknownCountry},
		{name: "overlong country", raw: "13612345678", country: strings.Repeat("x", 256), err: ErrUnknownCountry},
		{name: "mismatch", raw: "+8613612345678", country: "usa", err: ErrCountryMismatch},
		{name: "NANP mismatch between territories", raw: "+18762101234", country: "bahamas", err: ErrCountryMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.raw, tt.country)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Parse(%q, %q) error = %v, want %v", tt.raw, tt.country, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q, %q) error = %v", tt.raw, tt.country, err)
			}
			if got != tt.want {
				t.Fatalf("Parse(%q, %q) = %#v, want %#v", tt.raw, tt.country, got, tt.want)
			}
		})
	}
}

func TestMasked(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"+8613612345678", "+86136****5678"},
		{"+14155552671", "+141****2671"},
		{"+447400123456", "+4474****3456"},
		{"alice@example.com", "a***@example.com"},
		{"Ax@example.com", "a***@example.com"},
		{"a@example.com", "***@example.com"},
		{"*@example.com", "***@example.com"},
	}
	for _, tt := range tests {
		c, err := Parse(tt.raw, "")
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.raw, err)
		}
		if got := c.Masked(); got != tt.want {
			t.Errorf("Masked(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		if got := c.String(); got != tt.want {
			t.Errorf("String(%q) = %q, want the masked %q", tt.raw, got, tt.want)
		}
		if err := checkMasked(c); err != nil {
			t.Errorf("Masked(%q): %v", tt.raw, err)
		}
	}
}

// TestCountryTable checks every row against phonenumbers: the region exists,
// and its calling code is the one the dialing code starts with.
func TestCountryTable(t *testing.T) {
	list := Countries()
	if len(list) != 169 {
		t.Fatalf("table has %d countries, want 169", len(list))
	}
	seen := map[string]bool{}
	for _, c := range list {
		if seen[c.Name] {
			t.Errorf("duplicate country %q", c.Name)
		}
		seen[c.Name] = true
		cc := phonenumbers.GetCountryCodeForRegion(c.Region)
		if cc == 0 {
			t.Errorf("%s: region %q unknown to phonenumbers", c.Name, c.Region)
			continue
		}
		if !strings.HasPrefix(c.DialingCode, "+"+strconv.Itoa(cc)) {
			t.Errorf("%s: dialing code %s does not start with +%d of region %s", c.Name, c.DialingCode, cc, c.Region)
		}
		if got, ok := LookupCountry(c.Name); !ok || got != c {
			t.Errorf("LookupCountry(%q) = %#v, %v", c.Name, got, ok)
		}
	}
	if _, ok := LookupCountry(DefaultCountry); !ok {
		t.Errorf("default country %q is not in the table", DefaultCountry)
	}
}

// TestCountryTableMatchesShared keeps the embedded copy in step with the
// shared data file when it is present beside the repository.
func TestCountryTableMatchesShared(t *testing.T) {
	shared, err := os.ReadFile("../../shared/data/huawei-countries.tsv")
	if err != nil {
		t.Skip("shared data not beside the repository:", err)
	}
	if string(shared) != countriesTSV {
		t.Fatal("contact/countries.tsv differs from shared/data/huawei-countries.tsv; copy it again")
	}
}

func TestParseCountriesRejectsBadTable(t *testing.T) {
	for _, tsv := range []string{
		"",
		"name\tcode\tregion\nchinaPR\t+86\tCN\n",
		"country\tdialing_code\tregion\nchinaPR\t86\tCN\n",
		"country\tdialing_code\tregion\nchinaPR\t+86\n",
	} {
		if _, err := parseCountries(tsv); err == nil {
			t.Errorf("parseCountries(%q) accepted a bad table", tsv)
		}
	}
}

func TestKindString(t *testing.T) {
	if Phone.String() != "phone" || Email.String() != "email" || Kind(0).String() != "unknown" {
		t.Fatal("Kind.String")
	}
}

// TestMaskEmailMultiByte: Parse no longer accepts a non-ASCII local part,
// but the mask still hides whole characters of one, never splitting a rune.
func TestMaskEmailMultiByte(t *testing.T) {
	for _, tt := range []struct{ value, want string }{
		{"ωx@example.com", "ω***@example.com"},
		{"ω@example.com", "***@example.com"},
	} {
		c := Contact{Kind: Email, Value: tt.value}
		if got := c.Masked(); got != tt.want {
			t.Errorf("Masked(%q) = %q, want %q", tt.value, got, tt.want)
		}
		if err := checkMasked(c); err != nil {
			t.Error(err)
		}
	}
}

// TestMaskShortNumbers: numbers shorter than any in the country table still
// keep four digits hidden.
func TestMaskShortNumbers(t *testing.T) {
	for _, tt := range []struct {
		e164 string
		code int
		want string
	}{
		{"+6834002", 683, "+6****02"},
		{"+861234", 86, "+8****4"},
		{"+86123", 86, "+****3"},
		{"+1", 1, "+****"},
	} {
		if got := maskPhone(tt.e164, tt.code); got != tt.want {
			t.Errorf("maskPhone(%q) = %q, want %q", tt.e164, got, tt.want)
		}
		if err := checkMasked(Contact{Kind: Phone, Value: tt.e164, CallingCode: tt.code}); err != nil {
			t.Error(err)
		}
	}
}

// checkMasked reports how c.Masked() reveals too much: a phone number must
// keep at least four digits hidden, an email at least one character of its
// local part; what is shown must be the value's own start and end.
func checkMasked(c Contact) error {
	m := c.Masked()
	switch c.Kind {
	case Phone:
		head, tail, ok := strings.Cut(m, "****")
		if !ok || !strings.HasPrefix(head, "+") || !strings.HasPrefix(c.Value, head) || !strings.HasSuffix(c.Value, tail) {
			return fmt.Errorf("%q is not a masked form of %q", m, c.Value)
		}
		if shown := len(head) - 1 + len(tail); shown > max(len(c.Value)-1-4, 0) {
			return fmt.Errorf("%q shows %d of the %d digits of %q", m, shown, len(c.Value)-1, c.Value)
		}
	case Email:
		at := strings.LastIndexByte(c.Value, '@')
		local, domain := c.Value[:at], c.Value[at+1:]
		shown, ok := strings.CutSuffix(m, "***@"+domain)
		if !ok || !strings.HasPrefix(local, shown) {
			return fmt.Errorf("%q is not a masked form of %q", m, c.Value)
		}
		if len(shown) >= len(local) {
			return fmt.Errorf("%q shows the whole local part of %q", m, c.Value)
		}
	default:
		return fmt.Errorf("kind %v has no masked form", c.Kind)
	}
	return nil
}

// TestEmailRoutingRejected: Parse accepts only a dot-atom local part at a
// hostname, so that the normalised Value is the mailbox mail is delivered
// to. Quoted local parts, "%" and "!" routing and domain literals are
// forms an MTA (Postfix) may route to a different mailbox or host than the
// domain they show, or that let a value carry ESMTP parameters into RCPT TO.
func TestEmailRoutingRejected(t *testing.T) {
	tests := []struct {
		name, raw string
		want      string // the expected Value; empty means ErrInvalid
	}{
		// Routing forms.
		{name: "quoted address in local part", raw: `"attacker@evil.example"@victim.example`},
		{name: "percent hack", raw: "attacker%evil.example@victim.example"},
		{name: "bang path", raw: "evil.example!attacker@victim.example"},
		{name: "source route", raw: "@evil.example:attacker@victim.example"},
		{name: "two at signs", raw: "attacker@evil.example@victim.example"},

		// Quoted local parts: one mailbox, many spellings, and a way to
		// smuggle spaces and angle brackets into RCPT TO.
		{name: "quoted", raw: `"a"@x.com`},
		{name: "quoted pair", raw: `"\a"@x.com`},
		{name: "quoted space", raw: `"a b"@x.com`},
		{name: "quoted empty", raw: `""@x.com`},
		{name: "ESMTP injection", raw: `"a> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b"@x.com`},
		{name: "ESMTP injection unquoted", raw: "a>NOTIFY=SUCCESS@x.com"},
		{name: "CRLF injection", raw: "a\r\nRCPT TO:<b@y.com>@x.com"},
		{name: "backslash", raw: `a\b@x.com`},
		{name: "quote inside", raw: `a"b@x.com`},

		// Domain literals.
		{name: "IPv4 literal", raw: "user@[1.2.3.4]"},
		{name: "IPv6 literal", raw: "user@[IPv6:2001:db8::1]"},
		{name: "general literal", raw: "user@[x:y]"},
		{name: "dotted quad hostname", raw: "user@1.2.3.4"},

		// Dots.
		{name: "leading dot", raw: ".a@x.com"},
		{name: "trailing dot", raw: "a.@x.com"},
		{name: "double dot", raw: "a..b@x.com"},
		{name: "only a dot", raw: ".@x.com"},
		{name: "domain trailing dot", raw: "a@x.com."},
		{name: "domain leading dot", raw: "a@.x.com"},
		{name: "domain double dot", raw: "a@x..com"},

		// Other non-atext.
		{name: "non-ASCII local part", raw: "ωx@example.com"},
		{name: "full-width local part", raw: "ａ@example.com"},
		{name: "internal space", raw: "a b@x.com"},
		{name: "tab", raw: "a\tb@x.com"},
		{name: "NUL", raw: "a\x00b@x.com"},
		{name: "DEL", raw: "a\x7fb@x.com"},
		{name: "comment", raw: "a(comment)@x.com"},
		{name: "angle brackets", raw: "<a@x.com>"},
		{name: "display name", raw: "A <a@x.com>"},
		{name: "comma", raw: "a,b@x.com"},
		{name: "semicolon", raw: "a;b@x.com"},
		{name: "colon", raw: "a:b@x.com"},

		// Lengths and domain shape.
		{name: "local part 65 octets", raw: strings.Repeat("a", 65) + "@x.com"},
		{name: "single-label domain", raw: "a@localhost"},
		{name: "domain label over 63", raw: "a@" + strings.Repeat("b", 64) + ".com"},
		{name: "domain label leading hyphen", raw: "a@-x.com"},
		{name: "domain label trailing hyphen", raw: "a@x-.com"},
		{name: "domain underscore", raw: "a@x_y.com"},

		// Accepted, with the exact Value.
		{name: "plus tag", raw: "first.last+tag@example.com", want: "first.last+tag@example.com"},
		{name: "apostrophe", raw: "o'brien@example.com", want: "o'brien@example.com"},
		{name: "underscore and hyphen", raw: "x_y-z@sub.example.co.uk", want: "x_y-z@sub.example.co.uk"},
		{name: "IDNA domain", raw: "user@例え.jp", want: "user@xn--r8jz45g.jp"},
		{name: "IDNA domain upper case", raw: "User@BÜCHER.example", want: "user@xn--bcher-kva.example"},
		{name: "lower-cased", raw: "Alice.Smith@Example.COM", want: "alice.smith@example.com"},
		{name: "surrounding space trimmed", raw: "  a@x.com\t", want: "a@x.com"},
		{name: "all atext but % and !", raw: "#$&'*+-/=?^_`{|}~@x.com", want: "#$&'*+-/=?^_`{|}~@x.com"},
		{name: "local part 64 octets", raw: strings.Repeat("a", 64) + "@x.com", want: strings.Repeat("a", 64) + "@x.com"},
		{name: "domain label 63", raw: "a@" + strings.Repeat("b", 63) + ".com", want: "a@" + strings.Repeat("b", 63) + ".com"},
		{name: "digits and hyphens in labels", raw: "a@1-2.x9.com", want: "a@1-2.x9.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.raw, "")
			if tt.want == "" {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Parse(%q) = %#v, %v; want ErrInvalid", tt.raw, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.raw, err)
			}
			if want := (Contact{Kind: Email, Value: tt.want}); got != want {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.raw, got, want)
			}
			again, err := Parse(got.Value, "")
			if err != nil || again != got {
				t.Fatalf("Value %q does not re-parse to itself: %#v, %v", got.Value, again, err)
			}
		})
	}
}

// TestEmailOneMailboxOneValue: spellings of one mailbox that Parse accepts
// give one Value, so limits and codes keyed by it cannot be multiplied.
func TestEmailOneMailboxOneValue(t *testing.T) {
	for _, group := range [][]string{
		{"a@x.com", "A@X.com", "A@x.COM", " a@x.com ", "a@X.Com"},
		{"user@xn--bcher-kva.example", "user@bücher.example", "USER@BÜCHER.EXAMPLE", "user@BÜCHER.example"},
		{"user@xn--r8jz45g.jp", "user@例え.jp", "user@例え.JP"},
	} {
		var first Contact
		for i, raw := range group {
			c, err := Parse(raw, "")
			if err != nil {
				t.Fatalf("Parse(%q): %v", raw, err)
			}
			if i == 0 {
				first = c
				if c.Value != raw {
					t.Fatalf("Parse(%q).Value = %q, want it unchanged", raw, c.Value)
				}
				continue
			}
			if c != first {
				t.Errorf("Parse(%q) = %q, Parse(%q) = %q: one mailbox, two values", group[0], first.Value, raw, c.Value)
			}
		}
	}
}

// TestParseIn: another default country reads national numbers given
// without a country, and nothing else.
func TestParseIn(t *testing.T) {
	for _, tt := range []struct {
		raw, country, def, want string
		err                     error
	}{
		{"(650) 253-0000", "", "usa", "+16502530000", nil},
		{"13612345678", "", "usa", "+13612345678", nil}, // read as a US number
		{"+8613612345678", "", "usa", "+8613612345678", nil},
		{"13612345678", "chinaPR", "usa", "+8613612345678", nil},
		{"a@example.com", "", "usa", "a@example.com", nil},
		{"13612345678", "", "Atlantis", "", ErrUnknownCountry},
	} {
		c, err := ParseIn(tt.raw, tt.country, tt.def)
		if c.Value != tt.want || !errors.Is(err, tt.err) && err != tt.err {
			t.Errorf("ParseIn(%q, %q, %q) = %q, %v; want %q, %v", tt.raw, tt.country, tt.def, c.Value, err, tt.want, tt.err)
		}
	}
}

func TestLookupRegion(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"CN", "CN", true}, {"cn", "CN", true}, {"Us", "US", true}, {"XK", "XK", true},
		{"", "", false}, {"ZZ", "ZZ", false}, {"EU", "EU", false}, {"001", "", false},
		{"usa", "", false}, {"chinaPR", "", false}, {"C", "", false},
	} {
		if got, ok := LookupRegion(tt.in); ok != tt.ok || ok && got != tt.want {
			t.Errorf("LookupRegion(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// Every region of the Huawei table is one.
	for _, c := range Countries() {
		if _, ok := LookupRegion(c.Region); !ok {
			t.Errorf("%s's region %q is not a region", c.Name, c.Region)
		}
	}
}
