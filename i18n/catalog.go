package i18n

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Catalog is an immutable set of languages with their texts, one of them the
// default. It is safe for concurrent use. Build one from Default with With
// and WithDefault; the zero Catalog (and a nil *Catalog) has no languages,
// and the first language With adds to it becomes its default. The methods of
// a catalog without languages return the zero Tag and empty texts (Error
// returns the key itself).
type Catalog struct {
	langs   []entry // the default first
	tags    []language.Tag
	matcher language.Matcher
	// headers answers the common Accept-Language values without parsing
	// or allocating: "", each tag, its base language, and the
	// "zh-CN,zh;q=0.9" form browsers send. Filled by running the full
	// negotiation on them, so it cannot disagree with it.
	headers map[string]int
	// bases answers Match for each tag's base language, e.g. English.
	bases []tagIndex
}

type entry struct {
	tag   language.Tag
	texts Texts // Errors is the catalog's own copy
}

type tagIndex struct {
	tag   language.Tag
	index int
}

// maxAcceptLanguage bounds the part of an Accept-Language header that is
// parsed; a real browser sends well under this, and the rest only costs CPU.
const maxAcceptLanguage = 256

// maxHeaderKey bounds the headers looked up in Catalog.headers, which are
// all short, so that a long header is not hashed for nothing.
const maxHeaderKey = 32

var defaultCatalog = func() *Catalog {
	c, err := new(Catalog).With(zhCN, builtin[0].clone())
	if err == nil {
		c, err = c.With(enUS, builtin[1].clone())
	}
	if err != nil {
		panic(err)
	}
	return c
}()

// Default returns the built-in catalog: zh-CN, the default (as in the
// published API), and en-US. It returns the same catalog every call, which is
// immutable and safe to share.
func Default() *Catalog { return defaultCatalog }

// build returns the catalog of langs, the default first, with its matcher
// and lookup tables.
func build(langs []entry) *Catalog {
	c := &Catalog{langs: langs, tags: make([]language.Tag, len(langs))}
	for i, e := range langs {
		c.tags[i] = e.tag
	}
	c.matcher = language.NewMatcher(c.tags)
	c.headers = map[string]int{"": 0}
	addHeader := func(h string) {
		if len(h) <= maxHeaderKey {
			c.headers[h] = c.negotiate(h)
		}
	}
	for _, t := range c.tags {
		base, _ := t.Base()
		addHeader(t.String())
		addHeader(base.String())
		addHeader(t.String() + "," + base.String() + ";q=0.9")
		bt := language.Make(base.String())
		c.bases = append(c.bases, tagIndex{bt, c.match(bt)})
	}
	return c
}

// probes are the Data a text is tried on before a catalog accepts it.
var probes = func() []Data {
	var ds []Data
	for _, m := range []int{1, 5} {
		for _, brand := range []string{"", "Brand"} {
			for _, purpose := range []string{"", "login"} {
				ds = append(ds, Data{Code: "9081726354", Minutes: m,
					Validity: time.Duration(m) * time.Minute, Brand: brand, Purpose: purpose})
			}
		}
	}
	return ds
}()

// With returns a copy of c with tag's texts added or replaced; c is
// unchanged. A replaced language keeps its place, an added one comes last
// (and is the default only when c has no languages).
//
// With refuses texts that would fail a user at run time, with an error that
// names the language and the field: a nil Template, an SMS or EmailBody that
// does not render the code (tried with Minutes 1 and 5, with and without a
// Brand and a Purpose), an EmailSubject that renders empty or on more than
// one line, a Template that panics, an Errors map lacking a Key of Keys() or
// with an empty (or blank) message or with a key not in Keys(). Nothing falls
// back to another language. It also refuses the zero Tag (language.Und),
// which stands for the default.
func (c *Catalog) With(tag language.Tag, t Texts) (*Catalog, error) {
	if tag == language.Und {
		return nil, fmt.Errorf("i18n: With needs a language tag, not %v", tag)
	}
	if err := check(t); err != nil {
		return nil, fmt.Errorf("i18n: %v texts: %w", tag, err)
	}
	var langs []entry
	if c != nil {
		langs = append(langs, c.langs...)
	}
	e := entry{tag, t.clone()}
	replaced := false
	for i := range langs {
		if langs[i].tag == tag {
			langs[i], replaced = e, true
		}
	}
	if !replaced {
		langs = append(langs, e)
	}
	return build(langs), nil
}

// check reports what is wrong with t, naming the field.
func check(t Texts) error {
	for _, f := range []struct {
		name string
		tmpl Template
	}{{"SMS", t.SMS}, {"EmailSubject", t.EmailSubject}, {"EmailBody", t.EmailBody}} {
		if f.tmpl == nil {
			return fmt.Errorf("%s is missing", f.name)
		}
		for _, d := range probes {
			s, err := render(f.tmpl, d)
			switch {
			case err != nil:
				return fmt.Errorf("%s with %s: %w", f.name, probe(d), err)
			case f.name == "EmailSubject" && strings.TrimSpace(s) == "":
				return fmt.Errorf("%s renders empty with %s", f.name, probe(d))
			case f.name == "EmailSubject" && strings.ContainsAny(s, "\r\n"):
				return fmt.Errorf("%s renders more than one line with %s: %q", f.name, probe(d), s)
			case f.name != "EmailSubject" && !strings.Contains(s, d.Code):
				return fmt.Errorf("%s does not render the code with %s: %q", f.name, probe(d), s)
			}
		}
	}
	if t.Errors == nil {
		return fmt.Errorf("field Errors is missing")
	}
	for _, k := range Keys() {
		m, ok := t.Errors[k]
		switch {
		case !ok:
			return fmt.Errorf("field Errors lacks %q", k)
		case strings.TrimSpace(m) == "":
			return fmt.Errorf("field Errors[%q] is empty", k)
		}
	}
	if len(t.Errors) != len(Keys()) {
		known := map[Key]bool{}
		for _, k := range Keys() {
			known[k] = true
		}
		for k := range t.Errors {
			if !known[k] {
				return fmt.Errorf("field Errors has %q, which is not a Key of Keys()", k)
			}
		}
	}
	return nil
}

func probe(d Data) string {
	return fmt.Sprintf("Code %q, Minutes %d, Brand %q, Purpose %q", d.Code, d.Minutes, d.Brand, d.Purpose)
}

// render runs a host's template, turning a panic into an error.
func render(t Template, d Data) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panics: %v", r)
		}
	}()
	return t(d), nil
}

// WithDefault returns a copy of c whose default language is tag, which must
// be one of c's languages exactly (error otherwise; language.English is not
// en-US). The default answers an empty or unmatched Accept-Language and a
// zero language.Tag. c is unchanged.
func (c *Catalog) WithDefault(tag language.Tag) (*Catalog, error) {
	if c != nil {
		for i, e := range c.langs {
			if e.tag == tag {
				langs := make([]entry, 0, len(c.langs))
				langs = append(langs, e)
				langs = append(langs, c.langs[:i]...)
				langs = append(langs, c.langs[i+1:]...)
				return build(langs), nil
			}
		}
	}
	return nil, fmt.Errorf("i18n: WithDefault(%v): not a language of the catalog %v", tag, c.Languages())
}

// Languages returns the catalog's language tags, the default first, in a new
// slice.
func (c *Catalog) Languages() []language.Tag {
	if c == nil {
		return nil
	}
	return append([]language.Tag(nil), c.tags...)
}

// Negotiate picks a catalog language for an Accept-Language header value,
// with an x/text language.Matcher over the catalog's tags, weighing every
// language the header lists by its q value ("de-DE,fr;q=0.9" gives fr when
// the catalog has French but not German). A header longer than 256 bytes
// is read up to its last comma within them. With the Default
// catalog "en", "en-GB" and "en-US;q=0.8" give en-US; an empty, unparsable or
// unmatched value gives the default language.
func (c *Catalog) Negotiate(acceptLanguage string) language.Tag {
	if c == nil || len(c.langs) == 0 {
		return language.Und
	}
	if len(acceptLanguage) <= maxHeaderKey {
		if i, ok := c.headers[acceptLanguage]; ok {
			return c.tags[i]
		}
	}
	return c.tags[c.negotiate(acceptLanguage)]
}

// negotiate is Negotiate without the table, giving the language's index.
func (c *Catalog) negotiate(acceptLanguage string) int {
	if len(acceptLanguage) > maxAcceptLanguage {
		cut := strings.LastIndexByte(acceptLanguage[:maxAcceptLanguage], ',')
		if cut <= 0 {
			return 0
		}
		acceptLanguage = acceptLanguage[:cut]
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return 0
	}
	_, index, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return 0
	}
	return index
}

// Match returns the catalog language for tag: a language of the catalog
// gives itself, another tag the closest match, and the zero Tag
// (language.Und) or an unmatched tag the default. language.English gives
// en-US in the Default catalog.
func (c *Catalog) Match(tag language.Tag) language.Tag {
	if c == nil || len(c.langs) == 0 {
		return language.Und
	}
	return c.tags[c.match(tag)]
}

// match is Match giving the language's index; c has languages.
func (c *Catalog) match(tag language.Tag) int {
	if tag == language.Und {
		return 0
	}
	for i, t := range c.tags {
		if t == tag {
			return i
		}
	}
	for _, b := range c.bases {
		if b.tag == tag {
			return b.index
		}
	}
	_, index, conf := c.matcher.Match(tag)
	if conf == language.No {
		return 0
	}
	return index
}

// texts returns the texts of tag's language, Match applied; c has languages.
func (c *Catalog) texts(tag language.Tag) *Texts {
	return &c.langs[c.match(tag)].texts
}

// Error returns the error message for key in tag's language (Match
// applied). A key not in Keys() gives the key itself.
func (c *Catalog) Error(tag language.Tag, key Key) string {
	if c == nil || len(c.langs) == 0 {
		return string(key)
	}
	if m, ok := c.texts(tag).Errors[key]; ok {
		return m
	}
	return string(key)
}

// SMS renders the text message that carries d.Code in tag's language (Match
// applied).
func (c *Catalog) SMS(tag language.Tag, d Data) string {
	if c == nil || len(c.langs) == 0 {
		return ""
	}
	return c.texts(tag).SMS(d.withMinutes())
}

// EmailSubject renders the subject of the email that carries d.Code in tag's
// language (Match applied).
func (c *Catalog) EmailSubject(tag language.Tag, d Data) string {
	if c == nil || len(c.langs) == 0 {
		return ""
	}
	return c.texts(tag).EmailSubject(d.withMinutes())
}

// EmailBody renders the plain-text body of the email that carries d.Code in
// tag's language (Match applied).
func (c *Catalog) EmailBody(tag language.Tag, d Data) string {
	if c == nil || len(c.langs) == 0 {
		return ""
	}
	return c.texts(tag).EmailBody(d.withMinutes())
}
