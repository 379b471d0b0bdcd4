package sfu

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// knownSecrets remembers, per room, the secrets that verified right, as
// HMACs under a key that lives only in this process. A member who brings a
// passcode someone already brought, or a chair coming back, is let in
// without queueing for the slow verification; a flood of guesses can then
// only delay the very first holder of a secret, and the verify gate bounds
// that. An entry holds for one SecretsVersion of the room.
type knownSecrets struct {
	key [32]byte // read-only after newKnownSecrets

	// mu guards rooms.
	mu    sync.Mutex
	rooms map[string]map[control.SecretKind]knownSecret
}

type knownSecret struct {
	version string
	mac     [sha256.Size]byte
}

func newKnownSecrets() *knownSecrets {
	k := &knownSecrets{rooms: map[string]map[control.SecretKind]knownSecret{}}
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

// right reports whether secret is the one remembered for the room at this
// version. false means "not known", not "wrong".
func (k *knownSecrets) right(roomID string, kind control.SecretKind, version, secret string) bool {
	if version == "" {
		return false
	}
	sum := k.mac(roomID, kind, secret)
	k.mu.Lock()
	e, ok := k.rooms[roomID][kind]
	k.mu.Unlock()
	return ok && e.version == version && hmac.Equal(e.mac[:], sum[:])
}

// remember records a secret that verified right.
func (k *knownSecrets) remember(roomID string, kind control.SecretKind, version, secret string) {
	if version == "" {
		return
	}
	e := knownSecret{version: version, mac: k.mac(roomID, kind, secret)}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.rooms[roomID] == nil {
		k.rooms[roomID] = map[control.SecretKind]knownSecret{}
	}
	k.rooms[roomID][kind] = e
}

// forget drops a room's entries with its control state.
func (k *knownSecrets) forget(roomID string) {
	k.mu.Lock()
	delete(k.rooms, roomID)
	k.mu.Unlock()
}
