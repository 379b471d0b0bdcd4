package control

// SendToWaiting moves an admitted member back to the waiting room, as
// Zoom's "Put in waiting room": its connection is closed at once (its media
// stops before anyone reads the news), and its browser is held: whenever it
// joins again it waits for a chair, past the passcode it already gave and
// past the lock, whatever the waiting-room switch, until a chair admits it.
// It is not barred. The room forgets that the browser was in, here and in
// what it carries to its next node.
type SendToWaiting struct{ Target ParticipantID }

func (SendToWaiting) Name() string  { return "send-to-waiting" }
func (SendToWaiting) minRole() Role { return RoleCoChair }

func (c SendToWaiting) apply(r *Room, from *participant) ([]Event, error) {
	p, err := r.admittedMember(c.Target)
	if err != nil {
		return nil, err
	}
	r.hold(p.identity)
	// As with a removal, the news comes before the leave, so that clients
	// tell it under the name the member had, and the member's connection
	// is closed first so that it hears nothing more of the room.
	evs := []Event{
		{To: toOne(p.id), Kind: KindDisconnect, Subject: p.id, Reason: CodeSentToWaiting},
		announce(from, ControlSentToWaiting, true, p.id),
	}
	return append(evs, r.Leave(p.id)...), nil
}

// holdKey is the key of a held browser in held and, hashed, in Carried.
func holdKey(id Identity) string { return "h:" + id.BrowserID }

// hold makes the browser wait on its next joins until admitted, and
// forgets that it was admitted on the room's previous node.
func (r *Room) hold(id Identity) {
	if r.held == nil {
		r.held = make(map[string]struct{})
	}
	r.held[holdKey(id)] = struct{}{}
	if len(r.carriedMembers) > 0 {
		delete(r.carriedMembers, barHash(r.carrySalt, "m:"+id.BrowserID))
	}
}

// isHeld reports whether a chair sent this browser back to the waiting
// room, here or on the room's previous node, and nobody admitted it since.
func (r *Room) isHeld(id Identity) bool {
	if _, ok := r.held[holdKey(id)]; ok {
		return true
	}
	if len(r.carriedHeld) == 0 {
		return false
	}
	_, ok := r.carriedHeld[barHash(r.carrySalt, holdKey(id))]
	return ok
}

// release ends the hold on an admitted browser.
func (r *Room) release(id Identity) {
	delete(r.held, holdKey(id))
	if len(r.carriedHeld) > 0 {
		delete(r.carriedHeld, barHash(r.carrySalt, holdKey(id)))
	}
}

// heldRefusal is refusal for a held browser: it may wait (the passcode and
// the lock were passed when it first came in) while the waiting room has
// space.
func (r *Room) heldRefusal() Code {
	if r.count(func(p *participant) bool { return p.waiting != waitNone }) >= r.limits.WaitingMax {
		return CodeFull
	}
	return ""
}
