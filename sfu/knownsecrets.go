package sfu

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// knownSecrets remembers, per room, the secrets that verified right and
// those that verified wrong, as HMACs under a key that lives only in this
// process. A member who brings a passcode someone already brought, or a
// chair coming back, is let in without queueing for the slow verification;
// a flood of guesses can then only delay the very first holder of a
// secret, and the verify gate bounds that. A guess that was verified wrong
// once (one that passed the fingerprint, see SecretScreener) is turned
// away at once when replayed, so it reaches the verify gate only once.
// Entries hold for one SecretsVersion of the room, and a service role's
// key only until the role ends. A room has several right host keys (its
// own and its service roles'), so a kind holds up to maxKnownPerKind.
type knownSecrets struct {
	key [32]byte // read-only after newKnownSecrets

	// mu guards rooms.
	mu    sync.Mutex
	rooms map[string]map[control.SecretKind]*roomSecrets
}

// maxKnownPerKind bounds the right entries of a kind in a room: the
// schedule allows 8 service roles beside the meeting's own key and the
// admin token.
const maxKnownPerKind = 16

// knownWrongMax bounds the wrong secrets remembered per room and kind; past
// it the oldest is forgotten (and costs one more verification if tried
// again).
const knownWrongMax = 1024

// roomSecrets is what is known of one kind of secret of a room, at one
// version of its secrets.
type roomSecrets struct {
	version    string
	right      []knownSecret // newest first
	wrong      map[[sha256.Size]byte]struct{}
	wrongOrder [][sha256.Size]byte // oldest first
}

type knownSecret struct {
	mac   [sha256.Size]byte
	chair ChairKey
}

func newKnownSecrets() *knownSecrets {
	k := &knownSecrets{rooms: map[string]map[control.SecretKind]*roomSecrets{}}
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

// flight names the verification of secret for the room at this version
// (concurrent attempts at one secret share it), without the secret.
func (k *knownSecrets) flight(roomID string, kind control.SecretKind, version, secret string) string {
	sum := k.mac(roomID, kind, secret)
	return version + "\x00" + string(sum[:])
}

// lookup says whether secret is known right for the room at this version
// (and, for a host key, still in force at now; with what it grants) or
// known wrong; neither means "not known".
func (k *knownSecrets) lookup(roomID string, kind control.SecretKind, version, secret string, now time.Time) (
	chair ChairKey, right, wrong bool) {
	if version == "" {
		return ChairKey{}, false, false
	}
	sum := k.mac(roomID, kind, secret)
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.rooms[roomID][kind]
	if e == nil || e.version != version {
		return ChairKey{}, false, false
	}
	_, wrong = e.wrong[sum]
	for _, r := range e.right {
		if hmac.Equal(r.mac[:], sum[:]) {
			if !r.chair.Ends.IsZero() && !now.Before(r.chair.Ends) {
				return ChairKey{}, false, wrong
			}
			return r.chair, true, wrong
		}
	}
	return ChairKey{}, false, wrong
}

// right reports whether secret is one remembered for the room at this
// version and, for a host key, still in force at now; it returns what the
// key was. false means "not known", not "wrong".
func (k *knownSecrets) right(roomID string, kind control.SecretKind, version, secret string, now time.Time) (ChairKey, bool) {
	chair, right, _ := k.lookup(roomID, kind, version, secret, now)
	return chair, right
}

// entryLocked is the room's entry for the kind at this version, made
// afresh when the secrets changed: entries of another version can never
// be right (or wrong) again.
func (k *knownSecrets) entryLocked(roomID string, kind control.SecretKind, version string) *roomSecrets {
	if k.rooms[roomID] == nil {
		k.rooms[roomID] = map[control.SecretKind]*roomSecrets{}
	}
	e := k.rooms[roomID][kind]
	if e == nil || e.version != version {
		e = &roomSecrets{version: version, wrong: map[[sha256.Size]byte]struct{}{}}
		k.rooms[roomID][kind] = e
	}
	return e
}

// remember records a secret that verified right, and what it granted.
func (k *knownSecrets) remember(roomID string, kind control.SecretKind, version, secret string, chair ChairKey) {
	if version == "" {
		return
	}
	n := knownSecret{mac: k.mac(roomID, kind, secret), chair: chair}
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.entryLocked(roomID, kind, version)
	kept := []knownSecret{n}
	for _, old := range e.right {
		if old.mac != n.mac && len(kept) < maxKnownPerKind {
			kept = append(kept, old)
		}
	}
	e.right = kept
}

// rememberWrong records a secret that verified wrong.
func (k *knownSecrets) rememberWrong(roomID string, kind control.SecretKind, version, secret string) {
	if version == "" {
		return
	}
	sum := k.mac(roomID, kind, secret)
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.entryLocked(roomID, kind, version)
	if _, ok := e.wrong[sum]; ok {
		return
	}
	if len(e.wrongOrder) >= knownWrongMax {
		delete(e.wrong, e.wrongOrder[0])
		e.wrongOrder = e.wrongOrder[1:]
	}
	e.wrong[sum] = struct{}{}
	e.wrongOrder = append(e.wrongOrder, sum)
}

// forget drops a room's entries with its control state.
func (k *knownSecrets) forget(roomID string) {
	k.mu.Lock()
	delete(k.rooms, roomID)
	k.mu.Unlock()
}
