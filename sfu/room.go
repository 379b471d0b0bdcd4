package sfu

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
)

// Room is one meeting's membership. Its mutex guards the maps only; it is
// never held while sending, or while calling Pion.
type Room struct {
	id  string
	srv *Server

	// mu guards peers, tracks and dead.
	mu     sync.Mutex
	peers  map[string]*Peer
	tracks map[*upTrack]struct{}
	dead   bool // dropped by the server; a new join must make a new room
}

func newRoom(id string, srv *Server) *Room {
	return &Room{id: id, srv: srv, peers: map[string]*Peer{}, tracks: map[*upTrack]struct{}{}}
}

// ID is the room id the clients joined with.
func (r *Room) ID() string { return r.id }

// Peers returns a snapshot of the participants.
func (r *Room) Peers() []*Peer {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Peer, 0, len(r.peers))
	for _, p := range r.peers {
		out = append(out, p)
	}
	return out
}

// Peer returns the participant with this id, or nil.
func (r *Room) Peer(id string) *Peer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peers[id]
}

// Send queues a message for one participant.
func (r *Room) Send(id string, msg any) error {
	p := r.Peer(id)
	if p == nil {
		return ErrPeerClosed
	}
	return p.Send(msg)
}

// Broadcast queues a message for every participant except the one with id
// except (empty: everyone). Participants still in the waiting room, or
// whose joined reply is not yet queued, are skipped.
func (r *Room) Broadcast(msg any, except string) {
	for _, p := range r.Peers() {
		if p.id != except && p.announced.Load() {
			_ = p.Send(msg)
		}
	}
}

// add admits p under a unique name; the room must not be dead. The room's
// capacity is the controller's to enforce; this is only the technical
// ceiling, and a chair (whose secret was verified) passes it too.
func (r *Room) add(p *Peer, name string, chair bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dead {
		return ErrNoRoom
	}
	if !chair && len(r.peers) >= r.srv.cfg.MaxRoomPeers {
		return ErrRoomFull
	}
	p.name = uniqueName(name, func(n string) bool {
		for _, q := range r.peers {
			if q.name == n {
				return true
			}
		}
		return false
	})
	r.peers[p.id] = p
	return nil
}

// rename records p's new name (a rename the controller allowed). Lock
// order: the controller's room lock, then this one.
func (r *Room) rename(p *Peer, name string) {
	r.mu.Lock()
	p.name = name
	r.mu.Unlock()
}

// info describes p under the lock that guards its name.
func (r *Room) info(p *Peer) ParticipantInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return p.Info()
}

// remove forgets p and returns the tracks it published.
func (r *Room) remove(p *Peer) []*upTrack {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.peers[p.id] != p {
		return nil
	}
	delete(r.peers, p.id)
	var gone []*upTrack
	for t := range r.tracks {
		if t.pub == p {
			gone = append(gone, t)
			delete(r.tracks, t)
		}
	}
	return gone
}

func (r *Room) isEmpty() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.peers) == 0 {
		r.dead = true
		return true
	}
	return false
}

// publish registers a new track and returns who must subscribe to it.
func (r *Room) publish(t *upTrack) []*Peer {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.peers[t.pub.id] != t.pub {
		return nil
	}
	r.tracks[t] = struct{}{}
	subs := make([]*Peer, 0, len(r.peers))
	for _, p := range r.peers {
		if p != t.pub {
			subs = append(subs, p)
		}
	}
	return subs
}

// unpublish forgets a track that ended.
func (r *Room) unpublish(t *upTrack) {
	r.mu.Lock()
	delete(r.tracks, t)
	r.mu.Unlock()
}

// tracksFor returns the tracks p must subscribe to when it arrives.
func (r *Room) tracksFor(p *Peer) []*upTrack {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*upTrack, 0, len(r.tracks))
	for t := range r.tracks {
		if t.pub != p {
			out = append(out, t)
		}
	}
	return out
}

// infos describes everyone announced but except.
func (r *Room) infos(except *Peer) []ParticipantInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.infosLocked(except)
}

func (r *Room) infosLocked(except *Peer) []ParticipantInfo {
	out := []ParticipantInfo{}
	for _, p := range r.peers {
		if p != except && p.announced.Load() {
			out = append(out, p.Info())
		}
	}
	return out
}

// announce queues p's joined reply, built by reply from the participants
// already announced, and tells each of them that p arrived. It runs under
// mu so that two people joining at once see each other exactly once:
// listed in their reply or announced after it, never both or neither. The
// sends only queue (wsConn.send never blocks); queueing under the lock is
// what keeps every reply ahead of the events that follow it.
func (r *Room) announce(p *Peer, reply func(others []ParticipantInfo) any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = p.Send(reply(r.infosLocked(p)))
	p.announced.Store(true)
	arrived := participantMsg{Type: MsgParticipant, Event: "joined", Who: p.Info()}
	for _, q := range r.peers {
		if q != p && q.announced.Load() {
			_ = q.Send(arrived)
		}
	}
}

// newID returns a random 128-bit identifier.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
