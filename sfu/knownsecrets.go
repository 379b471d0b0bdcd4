package sfu

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// knownSecrets remembers, per room, the secrets that verified right, as
// HMACs under a key that lives only in this process. A member who brings a
// passcode someone already brought, or a chair coming back, is let in
// without queueing for the slow verification; a flood of guesses can then
// only delay the very first holder of a secret, and the verify gate bounds
// that. An entry holds for one SecretsVersion of the room, and a service
// role's key only until the role ends. A room has several right host keys
// (its own and its service roles'), so a kind holds up to maxKnownPerKind.
type knownSecrets struct {
	key [32]byte // read-only after newKnownSecrets

	// mu guards rooms.
	mu    sync.Mutex
	rooms map[string]map[control.SecretKind][]knownSecret
}

// maxKnownPerKind bounds the entries of a kind in a room: the schedule
// allows 8 service roles beside the meeting's own key and the admin token.
const maxKnownPerKind = 16

type knownSecret struct {
	version string
	mac     [sha256.Size]byte
	chair   ChairKey
}

func newKnownSecrets() *knownSecrets {
	k := &knownSecrets{rooms: map[string]map[control.SecretKind][]knownSecret{}}
	_, _ = rand.Read(k.key[:])
	return k
}

func (k *knownSecrets) mac(roomID string, kind control.SecretKind, secret string) [sha256.Size]byte {
	h := hmac.New(sha256.New, k.key[:])
	h.Write([]byte{byte(kind)})
	h.Write([]byte(roomID))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// right reports whether secret is one remembered for the room at this
// version and, for a host key, still in force at now; it returns what the
// key was. false means "not known", not "wrong".
func (k *knownSecrets) right(roomID string, kind control.SecretKind, version, secret string, now time.Time) (ChairKey, bool) {
	if version == "" {
		return ChairKey{}, false
	}
	sum := k.mac(roomID, kind, secret)
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, e := range k.rooms[roomID][kind] {
		if e.version == version && hmac.Equal(e.mac[:], sum[:]) {
			if !e.chair.Ends.IsZero() && !now.Before(e.chair.Ends) {
				return ChairKey{}, false
			}
			return e.chair, true
		}
	}
	return ChairKey{}, false
}

// remember records a secret that verified right, and what it granted.
// Entries of another version are dropped: they can never be right again.
func (k *knownSecrets) remember(roomID string, kind control.SecretKind, version, secret string, chair ChairKey) {
	if version == "" {
		return
	}
	e := knownSecret{version: version, mac: k.mac(roomID, kind, secret), chair: chair}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rooms[roomID] == nil {
		k.rooms[roomID] = map[control.SecretKind][]knownSecret{}
	}
	kept := []knownSecret{e}
	for _, old := range k.rooms[roomID][kind] {
		if old.version == version && old.mac != e.mac && len(kept) < maxKnownPerKind {
			kept = append(kept, old)
		}
	}
	k.rooms[roomID][kind] = kept
}

// forget drops a room's entries with its control state.
func (k *knownSecrets) forget(roomID string) {
	k.mu.Lock()
	delete(k.rooms, roomID)
	k.mu.Unlock()
}
