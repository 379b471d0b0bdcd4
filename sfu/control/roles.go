package control

import "fmt"

// MakeCoChair gives an admitted member the moderation controls.
type MakeCoChair struct{ Target ParticipantID }

// RevokeCoChair makes a co-chair a member again.
type RevokeCoChair struct{ Target ParticipantID }

// HandOver makes an admitted participant chair; the sender becomes a member.
type HandOver struct{ Target ParticipantID }

// EndMeeting disconnects everyone and refuses every later join but a chair's,
// which opens the meeting again.
type EndMeeting struct{}

func (MakeCoChair) Name() string   { return "make-co-chair" }
func (RevokeCoChair) Name() string { return "revoke-co-chair" }
func (HandOver) Name() string      { return "hand-over" }
func (EndMeeting) Name() string    { return "end-meeting" }

func (MakeCoChair) minRole() Role   { return RoleChair }
func (RevokeCoChair) minRole() Role { return RoleChair }
func (HandOver) minRole() Role      { return RoleChair }
func (EndMeeting) minRole() Role    { return RoleChair }

func (c MakeCoChair) apply(r *Room, _ *participant) ([]Event, error) {
	p, err := r.admittedMember(c.Target)
	if err != nil {
		return nil, err
	}
	return r.setRole(p, RoleCoChair), nil
}

func (c RevokeCoChair) apply(r *Room, _ *participant) ([]Event, error) {
	p := r.people[c.Target]
	switch {
	case p == nil:
		return nil, fmt.Errorf("revoke %s: %w", c.Target, CodeUnknownParticipant)
	case p.role != RoleCoChair:
		return nil, fmt.Errorf("revoke %s, a %v: %w", c.Target, p.role, CodeInvalid)
	}
	return r.setRole(p, RoleMember), nil
}

func (c HandOver) apply(r *Room, from *participant) ([]Event, error) {
	p := r.people[c.Target]
	switch {
	case p == nil || p.waiting != waitNone:
		return nil, fmt.Errorf("hand over to %s: %w", c.Target, CodeUnknownParticipant)
	case p == from:
		return nil, fmt.Errorf("hand over to oneself: %w", CodeInvalid)
	}
	evs := r.setRole(p, RoleChair)
	return append(evs, r.setRole(from, RoleMember)...), nil
}

// setRole changes a role and tells the room and the participant's gate.
// A service role's label goes with the host key that brought it: a role
// given in the room (co-chair, the chair handed over) has none.
func (r *Room) setRole(p *participant, role Role) []Event {
	p.role, p.service = role, ServiceRole{}
	return []Event{r.permsEvent(p), {To: toEveryone(), Kind: KindRole, Subject: p.id, Role: role}}
}

func (EndMeeting) apply(r *Room, from *participant) ([]Event, error) {
	r.ended = true
	evs := []Event{{To: toEveryone(), Kind: KindEnded, By: from.id}}
	for _, w := range r.Waiting() {
		evs = append(evs, Event{To: toOne(w.ID), Kind: KindDisconnect, Subject: w.ID, Reason: CodeEnded})
	}
	for _, id := range r.Recipients(toEveryone()) {
		evs = append(evs, Event{To: toOne(id), Kind: KindDisconnect, Subject: id, Reason: CodeEnded})
	}
	return evs, nil
}
