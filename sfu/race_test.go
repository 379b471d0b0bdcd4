//go:build race

package sfu_test

// raceEnabled slows the synthetic media under the race detector, which
// makes everything several times slower on this 2-core machine.
const raceEnabled = true
