package control

import (
	"cmp"
	"fmt"
	"slices"
)

// Command is one signaling request to the room. The concrete types below are
// the whole set; Name is the signaling message type.
type Command interface {
	Name() string
	minRole() Role
	apply(r *Room, from *participant) ([]Event, error)
}

// Handle applies a command from an admitted participant. On error nothing
// changed. The error wraps a Code.
func (r *Room) Handle(from ParticipantID, cmd Command) ([]Event, error) {
	if cmd == nil {
		return nil, fmt.Errorf("no command: %w", CodeInvalid)
	}
	if r.ended {
		return nil, fmt.Errorf("%s: %w", cmd.Name(), CodeEnded)
	}
	p := r.people[from]
	switch {
	case p == nil:
		return nil, fmt.Errorf("%s from %s: %w", cmd.Name(), from, CodeUnknownParticipant)
	case p.waiting != waitNone:
		return nil, fmt.Errorf("%s: %w", cmd.Name(), CodeNotAdmitted)
	case p.role < cmd.minRole() && cmd.minRole() == RoleChair && p.role == RoleCoChair:
		return nil, fmt.Errorf("%s: %w", cmd.Name(), CodeNotOwner)
	case p.role < cmd.minRole():
		return nil, fmt.Errorf("%s: %w", cmd.Name(), CodeNotChair)
	}
	return cmd.apply(r, p)
}

// member returns an admitted or waiting member that a chair may act on.
func (r *Room) member(id ParticipantID) (*participant, error) {
	p := r.people[id]
	switch {
	case p == nil:
		return nil, fmt.Errorf("target %s: %w", id, CodeUnknownParticipant)
	case p.role >= RoleCoChair:
		return nil, fmt.Errorf("target %s: %w", id, CodeTargetIsChair)
	}
	return p, nil
}

// admittedMember is member, but refuses a target still in the waiting room.
func (r *Room) admittedMember(id ParticipantID) (*participant, error) {
	p, err := r.member(id)
	if err == nil && p.waiting != waitNone {
		return nil, fmt.Errorf("target %s: %w", id, CodeNotAdmitted)
	}
	return p, err
}

// members returns every admitted member in arrival order, so that events
// come out in a stable order.
func (r *Room) members() []*participant {
	var out []*participant
	for _, p := range r.people {
		if p.waiting == waitNone && p.role == RoleMember {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *participant) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

func announce(by *participant, control string, value bool, subject ParticipantID) Event {
	return Event{To: toEveryone(), Kind: KindControl, By: by.id, Control: control, Value: value, Subject: subject}
}

// SetLocked locks or unlocks the room: a locked room takes nobody new except
// chairs.
type SetLocked struct{ On bool }

// SetWaitingRoom turns the waiting room on or off. Turning it off admits
// everyone waiting, while there is room.
type SetWaitingRoom struct{ On bool }

// Admit lets one waiting participant in.
type Admit struct{ Target ParticipantID }

// AdmitAll lets every waiting participant in, while there is room.
type AdmitAll struct{}

// Deny turns a waiting participant away without barring it.
type Deny struct{ Target ParticipantID }

// DenyAll turns away everyone waiting, in one step: what a chair needs when
// raiders flood the waiting room.
type DenyAll struct{}

func (SetLocked) Name() string      { return "set-locked" }
func (SetWaitingRoom) Name() string { return "set-waiting-room" }
func (Admit) Name() string          { return "admit" }
func (AdmitAll) Name() string       { return "admit-all" }
func (Deny) Name() string           { return "deny" }
func (DenyAll) Name() string        { return "deny-all" }

func (SetLocked) minRole() Role      { return RoleCoChair }
func (SetWaitingRoom) minRole() Role { return RoleCoChair }
func (Admit) minRole() Role          { return RoleCoChair }
func (AdmitAll) minRole() Role       { return RoleCoChair }
func (Deny) minRole() Role           { return RoleCoChair }
func (DenyAll) minRole() Role        { return RoleCoChair }

func (c SetLocked) apply(r *Room, from *participant) ([]Event, error) {
	r.locked = c.On
	return []Event{announce(from, ControlLocked, c.On, "")}, nil
}

func (c SetWaitingRoom) apply(r *Room, from *participant) ([]Event, error) {
	r.waitingRoom = c.On
	evs := []Event{announce(from, ControlWaitingRoom, c.On, "")}
	if !c.On {
		evs = append(evs, r.admitWaiting(func(*participant) bool { return true })...)
	}
	return evs, nil
}

func (c Admit) apply(r *Room, _ *participant) ([]Event, error) {
	p, err := r.member(c.Target)
	if err != nil {
		return nil, err
	}
	evs, err := r.admit(p)
	if err != nil {
		return nil, err
	}
	return append(evs, r.waitingListEvent()), nil
}

func (AdmitAll) apply(r *Room, _ *participant) ([]Event, error) {
	if len(r.Waiting()) == 0 {
		return nil, nil
	}
	if r.admittedCount() >= r.settings.MaxParticipants {
		return nil, fmt.Errorf("admit all: %w", CodeFull)
	}
	return r.admitWaiting(func(*participant) bool { return true }), nil
}

func (DenyAll) apply(r *Room, _ *participant) ([]Event, error) {
	waiting := r.Waiting()
	if len(waiting) == 0 {
		return nil, nil
	}
	evs := make([]Event, 0, len(waiting)+1)
	for _, w := range waiting {
		delete(r.people, w.ID)
		evs = append(evs, Event{To: toOne(w.ID), Kind: KindDisconnect, Subject: w.ID, Reason: CodeDenied})
	}
	return append(evs, r.waitingListEvent()), nil
}

func (c Deny) apply(r *Room, _ *participant) ([]Event, error) {
	p, err := r.member(c.Target)
	if err != nil {
		return nil, err
	}
	if p.waiting == waitNone {
		return nil, fmt.Errorf("deny %s: %w", p.id, CodeNotWaiting)
	}
	delete(r.people, p.id)
	return []Event{
		{To: toOne(p.id), Kind: KindDisconnect, Subject: p.id, Reason: CodeDenied},
		r.waitingListEvent(),
	}, nil
}
