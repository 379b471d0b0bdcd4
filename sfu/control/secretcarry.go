package control

import (
	"strconv"
	"time"
)

// maxCarriedCounts bounds how many counts a room takes over from its
// previous node (the limiter's own bound).
const maxCarriedCounts = maxSecretClients

// SecretCount is one client's count of wrong secrets in a room, as the
// room's next node takes it over: the client (secret kind and browser or
// address key) only as a keyed hash under the room's salt.
type SecretCount struct {
	Key   string    // hex HMAC-SHA256(salt, kind and client)
	Fails int       // attempts not (yet) proven right
	Last  time.Time // the last attempt
}

// SecretCounts returns the counts that changed since the last call, keyed
// with salt (the room's, the same on every node that runs it), and
// forgets that they changed. The SFU saves them in batches, so a flood of
// guesses costs the database one write per client per batch, not one per
// guess.
func (r *Room) SecretCounts(salt []byte) []SecretCount {
	s := &r.secrets
	if len(s.dirty) == 0 {
		return nil
	}
	out := make([]SecretCount, 0, len(s.dirty))
	for key := range s.dirty {
		if st := s.clients[key]; st != nil {
			out = append(out, SecretCount{Key: secretHash(salt, key), Fails: st.fails, Last: st.last})
		}
	}
	clear(s.dirty)
	return out
}

// RestoreSecretCounts takes over the counts the room's previous node
// saved, keyed with salt: a client that reached the limit there stays
// refused here, and one that was waiting keeps waiting. Call it on a new
// Room, before anyone tries a secret. A count only ever concerns its own
// client, so a right secret is never delayed by another's guesses.
func (r *Room) RestoreSecretCounts(counts []SecretCount, salt []byte) {
	s := &r.secrets
	s.salt = salt
	s.carried = make(map[string]secretState, min(len(counts), maxCarriedCounts))
	for _, c := range counts {
		if len(s.carried) >= maxCarriedCounts {
			break
		}
		if c.Fails > 0 {
			s.carried[c.Key] = secretState{fails: min(c.Fails, maxGuessCount), last: c.Last}
		}
	}
}

// takeCarried returns the count the room's previous node had for key, and
// forgets it (the client's own entry counts from now on).
func (s *secretLimiter) takeCarried(key secretClient) *secretState {
	if len(s.carried) == 0 {
		return &secretState{}
	}
	h := secretHash(s.salt, key)
	st, ok := s.carried[h]
	if !ok {
		return &secretState{}
	}
	delete(s.carried, h)
	return &st
}

func secretHash(salt []byte, key secretClient) string {
	return barHash(salt, "s:"+strconv.Itoa(int(key.kind))+":"+key.client)
}
