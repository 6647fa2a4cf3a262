package verifier_test

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/verifier"
)

// TestBrandAndLanguages: the brand leads every text in its language's
// convention; Request.Language is matched to the catalog; a host's own
// template and default language are used.
func TestBrandAndLanguages(t *testing.T) {
	f := newFixture(t, verifier.WithBrand("Acme"))
	for _, tt := range []struct {
		lang language.Tag
		want string
	}{
		{language.Tag{}, "【Acme】您的验证码为"},
		{i18n.ZhCN, "【Acme】您的验证码为"},
		{language.English, "[Acme] Your verification code is "},
		{language.BritishEnglish, "[Acme] Your verification code is "},
		{language.French, "【Acme】您的验证码为"}, // unmatched: the default
	} {
		r := req(phone)
		r.Language = tt.lang
		f.clk.Advance(verifier.DefaultLimits().Cooldown)
		code := f.send(t, r)
		m, _ := f.rec.Last(phone)
		if !strings.HasPrefix(m.Text, tt.want+code) {
			t.Errorf("%v: %q, want it to start with %q", tt.lang, m.Text, tt.want+code)
		}
	}
	f.send(t, verifier.Request{Contact: "a@example.com", Subject: "alice", Language: language.English})
	if m, _ := f.rec.Last("a@example.com"); !strings.Contains(m.Subject, "Acme") || !strings.Contains(m.Text, "Acme") || m.Language != i18n.EnUS {
		t.Errorf("branded email: %+v", m)
	}

	// A host's own texts and default language.
	ja := i18n.Default()
	texts, _ := i18n.Builtin(i18n.EnUS)
	texts.SMS, _ = i18n.ParseTemplate("{{.Brand}}の認証コードは{{.Code}}です（{{.Minutes}}分間有効）。")
	ja, err := ja.With(language.Japanese, texts)
	if err != nil {
		t.Fatal(err)
	}
	ja, err = ja.WithDefault(language.Japanese)
	if err != nil {
		t.Fatal(err)
	}
	g := newFixture(t, verifier.WithBrand("Acme"), verifier.WithCatalog(ja))
	code := g.send(t, req(phone))
	if m, _ := g.rec.Last(phone); m.Text != "Acmeの認証コードは"+code+"です（1分間有効）。" || m.Language != language.Japanese {
		t.Errorf("host's template: %q (%v)", m.Text, m.Language)
	}
	if g.v.Catalog() != ja {
		t.Error("Catalog() is not the catalog given")
	}
	for _, opt := range []verifier.Option{verifier.WithBrand(""), verifier.WithBrand("a\nb"), verifier.WithBrand(strings.Repeat("x", 33)),
		verifier.WithBrand(" "), verifier.WithBrand("Acme "), verifier.WithBrand("Acme】【Bank"), verifier.WithBrand("[Acme]"),
		verifier.WithBrand("Ac\xffme"), verifier.WithCatalog(nil)} {
		if _, err := verifier.New(f.rec, opt); err == nil {
			t.Error("New accepted a bad brand or catalog")
		}
	}
}
