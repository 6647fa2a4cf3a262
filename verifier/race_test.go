//go:build race

package verifier_test

// raceEnabled: the race detector is on, and the longest simulations are
// skipped (they are minutes under it).
const raceEnabled = true
