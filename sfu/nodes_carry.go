package sfu

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// carriedState is what a room's next node takes over (control.Carried)
// with the salt its bars are hashed with, as saved through Leases.
type carriedState struct {
	Salt    []byte          `json:"salt"`
	Carried control.Carried `json:"carried"`
}

// carrier saves and restores rooms' carried state when rooms are leased;
// nil leases: a single node, nothing to carry.
type carrier struct {
	leases   Leases
	attempts Attempts // nil: the limiter's counts are not carried
	held     func(room string) (Lease, bool)
	log      interface {
		Warn(string, ...any)
	}
}

// restore gives a new control room the state its previous node saved, or
// a fresh salt. It returns the salt and the saved version.
func (k *carrier) restore(ctx context.Context, roomID string, st *control.Room) ([]byte, int64) {
	if k != nil && k.leases != nil {
		v, raw, err := k.leases.State(ctx, roomID)
		var cs carriedState
		switch {
		case err != nil:
			k.log.Warn("load carried room state", "room", roomID, "err", err)
		case raw != nil && json.Unmarshal(raw, &cs) == nil && len(cs.Salt) >= 16:
			st.Restore(cs.Carried, cs.Salt)
			k.restoreAttempts(ctx, roomID, st, cs.Salt)
			return cs.Salt, v
		}
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	return salt, 0
}

// save records a room's carried state under version, if this node holds
// the room's lease.
func (k *carrier) save(roomID string, version int64, cs carriedState) {
	if k == nil || k.leases == nil {
		return
	}
	l, ok := k.held(roomID)
	if !ok {
		return
	}
	raw, err := json.Marshal(cs)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := k.leases.SaveState(ctx, l, version, raw); err != nil {
		k.log.Warn("save carried room state", "room", roomID, "err", err)
	}
}

// heldLease returns this node's lease on room.
func (s *Server) heldLease(room string) (Lease, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.held[room]
	return h.Lease, ok
}

// carryLocked notes a change of what the room's next node would take over
// and returns the version to save (0: nothing changed). Under cr.mu.
func (cr *controlRoom) carryLocked() (int64, carriedState) {
	if cr.c.carry == nil || cr.c.carry.leases == nil {
		return 0, carriedState{}
	}
	cs := carriedState{Salt: cr.salt, Carried: cr.st.Carry(cr.salt)}
	sig, _ := json.Marshal(cs.Carried)
	if string(sig) == cr.carriedSig {
		return 0, cs
	}
	cr.carriedSig = string(sig)
	cr.carriedVersion++
	return cr.carriedVersion, cs
}
