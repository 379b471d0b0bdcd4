package sfu

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestKnownSecretsRoles: several host keys of one room are remembered
// side by side with their service roles; a role's key is forgotten when
// the role ends and every key when the secrets' version changes.
func TestKnownSecretsRoles(t *testing.T) {
	k := newKnownSecrets()
	now := time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC)
	ends := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	k.remember("r", control.SecretHostKey, "v1", "own-key", ChairKey{})
	k.remember("r", control.SecretHostKey, "v1", "sec-key", ChairKey{Role: "Secretary", Ends: ends})
	for _, c := range []struct {
		key, version string
		at           time.Time
		ok           bool
		role         string
	}{
		{"own-key", "v1", now, true, ""},
		{"sec-key", "v1", now, true, "Secretary"},
		{"sec-key", "v1", ends, false, ""},
		{"own-key", "v1", ends.Add(time.Hour), true, ""},
		{"other-key", "v1", now, false, ""},
		{"own-key", "v2", now, false, ""},
	} {
		ck, ok := k.right("r", control.SecretHostKey, c.version, c.key, c.at)
		if ok != c.ok || ck.Role != c.role {
			t.Errorf("%s at %s, %v: %+v %v, want %q %v", c.key, c.version, c.at, ck, ok, c.role, c.ok)
		}
	}
	if _, ok := k.right("r", control.SecretPasscode, "v1", "own-key", now); ok {
		t.Error("a host key was taken as the passcode")
	}
	// A new version drops the old entries; the kind's entries stay bounded.
	k.remember("r", control.SecretHostKey, "v2", "own-key", ChairKey{})
	if _, ok := k.right("r", control.SecretHostKey, "v1", "sec-key", now); ok {
		t.Error("an entry of the old version survived")
	}
	for i := range 3 * maxKnownPerKind {
		k.remember("r", control.SecretHostKey, "v2", fmt.Sprint("key-", i), ChairKey{})
	}
	if n := len(k.rooms["r"][control.SecretHostKey].right); n != maxKnownPerKind {
		t.Errorf("%d entries, want at most %d", n, maxKnownPerKind)
	}
	if _, ok := k.right("r", control.SecretHostKey, "v2", fmt.Sprint("key-", 3*maxKnownPerKind-1), now); !ok {
		t.Error("the newest key was dropped")
	}
}
