//go:build race

package contact

// raceEnabled: the race detector is on, and the differential tests of
// the phone parser try one case in raceStride (all of them are minutes
// under it; they share no state to race on).
const raceEnabled = true
