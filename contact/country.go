package contact

import (
	_ "embed"
	"fmt"
	"strings"
)

// countriesTSV is a verbatim copy of shared/data/huawei-countries.tsv: the
// values Huawei Cloud Meeting accepts in its "country" field, with their
// dialing codes and ISO 3166 regions. TestCountryTable checks every row
// against phonenumbers' metadata.
//
//go:embed countries.tsv
var countriesTSV string

// DefaultCountry is the country assumed for a number in national format when
// the request names none, as in the published API.
const DefaultCountry = "chinaPR"

// Country is one entry of the Huawei country table.
type Country struct {
	// Name is the Huawei value, such as "chinaPR" or "usa". Case-sensitive.
	Name string
	// DialingCode is the international prefix with its plus sign, such as
	// "+86", or "+1284" for the NANP territories that Huawei lists apart.
	DialingCode string
	// Region is the ISO 3166-1 alpha-2 region, such as "CN".
	Region string
}

var (
	countryList   []Country
	countryByName map[string]*Country
)

func init() {
	var err error
	countryList, err = parseCountries(countriesTSV)
	if err != nil {
		panic(err) // the embedded table is part of the build; a test covers it
	}
	countryByName = make(map[string]*Country, len(countryList))
	for i := range countryList {
		countryByName[countryList[i].Name] = &countryList[i]
	}
}

func parseCountries(tsv string) ([]Country, error) {
	lines := strings.Split(strings.TrimRight(tsv, "\n"), "\n")
	if len(lines) < 2 || lines[0] != "country\tdialing_code\tregion" {
		return nil, fmt.Errorf("contact: country table: unexpected header %q", lines[0])
	}
	out := make([]Country, 0, len(lines)-1)
	for i, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" || !strings.HasPrefix(f[1], "+") || len(f[2]) != 2 {
			return nil, fmt.Errorf("contact: country table: bad row %d: %q", i+2, line)
		}
		out = append(out, Country{Name: f[0], DialingCode: f[1], Region: f[2]})
	}
	return out, nil
}

// LookupCountry returns the country with the given Huawei name. Names are
// case-sensitive, as Huawei's are.
func LookupCountry(name string) (Country, bool) {
	c, ok := countryByName[name]
	if !ok {
		return Country{}, false
	}
	return *c, true
}

// Countries returns a copy of the whole table, in the order of the published
// list.
func Countries() []Country {
	return append([]Country(nil), countryList...)
}
