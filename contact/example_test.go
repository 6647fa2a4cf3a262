package contact_test

import (
	"errors"
	"fmt"

	"github.com/vcodekit/vcode/contact"
)

func ExampleParse() {
	c, err := contact.Parse("136 1234 5678", "chinaPR")
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Kind, c.Value, c.Region, c.Masked())

	e, _ := contact.Parse("Alice@Example.com", "")
	fmt.Println(e.Kind, e.Value, e)

	_, err = contact.Parse("+8613612345678", "usa")
	fmt.Println(errors.Is(err, contact.ErrCountryMismatch))
	// Output:
	// phone +8613612345678 CN +86136****5678
	// email alice@example.com a***@example.com
	// true
}
