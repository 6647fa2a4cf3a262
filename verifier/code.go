package verifier

import (
	"encoding/binary"
	"io"
	"math"
)

var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

// newCode draws a code of n decimal digits from r, uniformly: a 64-bit draw
// at or above the largest multiple of 10^n is thrown away (rejection
// sampling), so that no residue is likelier than another.
func newCode(r io.Reader, n int) (string, error) {
	space := pow10[n]
	bound := math.MaxUint64 / space * space
	var buf [8]byte
	for {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", err
		}
		x := binary.LittleEndian.Uint64(buf[:])
		if x >= bound {
			continue
		}
		x %= space
		out := make([]byte, n)
		for i := n - 1; i >= 0; i-- {
			out[i] = byte('0' + x%10)
			x /= 10
		}
		return string(out), nil
	}
}

// normaliseCode returns code as n ASCII digits, or false if it is anything
// else. It folds full-width digits (which Chinese input methods produce) and
// drops the spaces and dashes people type to group digits ("123 456",
// "123-456"), half- or full-width.
func normaliseCode(code string, n int) (string, bool) {
	if len(code) == n {
		ok := true
		for i := 0; i < n; i++ {
			ok = ok && code[i] >= '0' && code[i] <= '9'
		}
		if ok {
			return code, true // the common case: no allocation
		}
	}
	if len(code) > 8*n { // bounds the work on hostile input
		return "", false
	}
	out := make([]byte, 0, n)
	for _, r := range code {
		switch {
		case r >= '0' && r <= '9':
			out = append(out, byte(r))
		case r >= '０' && r <= '９':
			out = append(out, byte('0'+r-'０'))
		case r == ' ' || r == '-' || r == '\u3000' || r == '－' || r == '\u00a0':
			continue
		default:
			return "", false
		}
		if len(out) > n {
			return "", false
		}
	}
	if len(out) != n {
		return "", false
	}
	return string(out), true
}
