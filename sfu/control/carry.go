package control

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Carried is what a room's next node takes over when the node that ran it
// dies: the switches the chairs set, and the bars as keyed hashes of the
// barred identities. No name, address or chat.
type Carried struct {
	Locked      bool     `json:"locked"`
	WaitingRoom bool     `json:"waitingRoom"`
	SelfUnmute  bool     `json:"selfUnmute"`
	StartVideo  bool     `json:"startVideo"`
	ChatMode    ChatMode `json:"chatMode"`
	RenameLock  bool     `json:"renameLock"`
	// ReactionsOff: a chair (or Secure) turned reactions off. Stored as
	// "off" so that a state saved before reactions existed means on.
	ReactionsOff bool     `json:"reactionsOff,omitempty"`
	Bars         []string `json:"bars"` // hex HMAC-SHA256(salt, bar key), sorted
	// Members are the browsers admitted before the takeover, hashed the
	// same way: they come back past the lock and the waiting room, which
	// keep everyone else out as before.
	Members []string `json:"members"`
	// Held are the browsers a chair sent back to the waiting room and
	// nobody admitted since, hashed the same way: they wait again.
	Held []string `json:"held,omitempty"`
}

// Carry returns what the room's next node needs, its bars keyed with salt
// (the room's: the same for every node that runs it).
func (r *Room) Carry(salt []byte) Carried {
	c := Carried{Locked: r.locked, WaitingRoom: r.waitingRoom, SelfUnmute: r.selfUnmute, StartVideo: r.startVideo,
		ChatMode: r.chatMode, RenameLock: r.renameLock, ReactionsOff: !r.reactions,
		Bars: hashed(salt, r.barred, r.carried), Held: hashed(salt, r.held, r.carriedHeld)}
	c.Members = []string{}
	for _, p := range r.people {
		if p.waiting == waitNone && !r.isHeld(p.identity) {
			c.Members = append(c.Members, barHash(salt, "m:"+p.identity.BrowserID))
		}
	}
	for h := range r.carriedMembers {
		c.Members = append(c.Members, h)
	}
	slices.Sort(c.Members)
	c.Members = slices.Compact(c.Members)
	return c
}

// hashed is the keys of own, hashed with salt, and the hashes carried,
// sorted and each once.
func hashed(salt []byte, own, carried map[string]struct{}) []string {
	out := []string{}
	for k := range own {
		out = append(out, barHash(salt, k))
	}
	for h := range carried {
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Restore takes a room over from the node that ran it: its switches, and
// its bars, hashed with salt. Call it on a new Room, before anyone joins.
func (r *Room) Restore(c Carried, salt []byte) {
	r.locked, r.waitingRoom, r.selfUnmute, r.startVideo = c.Locked, c.WaitingRoom, c.SelfUnmute, c.StartVideo
	r.renameLock, r.reactions = c.RenameLock, !c.ReactionsOff
	if c.ChatMode.valid() {
		r.chatMode = c.ChatMode
	}
	r.carrySalt = salt
	r.carried = make(map[string]struct{}, len(c.Bars))
	for _, h := range c.Bars {
		r.carried[h] = struct{}{}
	}
	r.carriedMembers = make(map[string]struct{}, len(c.Members))
	for _, h := range c.Members {
		r.carriedMembers[h] = struct{}{}
	}
	r.carriedHeld = make(map[string]struct{}, len(c.Held))
	for _, h := range c.Held {
		r.carriedHeld[h] = struct{}{}
	}
}

// wasIn reports whether the identity's browser was admitted to the room on
// its previous node.
func (r *Room) wasIn(id Identity) bool {
	if len(r.carriedMembers) == 0 {
		return false
	}
	_, ok := r.carriedMembers[barHash(r.carrySalt, "m:"+id.BrowserID)]
	return ok
}

func (r *Room) carriedBar(key string) bool {
	if len(r.carried) == 0 {
		return false
	}
	_, ok := r.carried[barHash(r.carrySalt, key)]
	return ok
}

func barHash(salt []byte, key string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(key))
	return hex.EncodeToString(m.Sum(nil))
}
