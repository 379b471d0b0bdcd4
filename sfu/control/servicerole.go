package control

import (
	"cmp"
	"slices"
	"time"
)

// ServiceRole is the service role of a right host key: a named key of the
// meeting ("Secretary") that the organisers may revoke and that may end.
// The room keeps it with the chair the key seated, so that the seat ends
// with the role (EndedRoles), as the label goes with it. Never the key.
type ServiceRole struct {
	// ID is the role's id in the schedule; 0 for the meeting's own host key
	// and the admin token, which never end.
	ID    int64
	Label string // shown to everyone
	// Ends is when the role's last day is over; zero: no end.
	Ends time.Time
}

// sanitized is the role as the room keeps it: a label that is not
// printable text or too long is dropped (roleLabel), the rest kept.
func (s ServiceRole) sanitized() ServiceRole {
	s.Label = roleLabel(s.Label)
	if s.ID == 0 {
		s.Ends = time.Time{} // only a role of the schedule can end
	}
	return s
}

// SeatedRoles are the ids of the service roles whose keys seated a chair
// in the room now, in order: the roles the room's owner asks the schedule
// about (RoleChecked). Empty when no chair holds a role's seat, so a room
// without them costs nothing.
func (r *Room) SeatedRoles() []int64 {
	var ids []int64
	for _, p := range r.roleSeats() {
		ids = append(ids, p.service.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// NextRoleEnd is the earliest end of a seated role; zero when none ends.
func (r *Room) NextRoleEnd() time.Time {
	var next time.Time
	for _, p := range r.roleSeats() {
		if e := p.service.Ends; !e.IsZero() && (next.IsZero() || e.Before(next)) {
			next = e
		}
	}
	return next
}

// RoleChecked records what the schedule says now of the service role id:
// gone (revoked, or its last day over: inForce false) ends every seat its
// key made; in force, its end (which moves with the meeting's zone) is
// remembered, and the seats end if it has passed by the room's clock. Call
// it only with a definite answer: a schedule that cannot be read unseats
// nobody.
func (r *Room) RoleChecked(id int64, ends time.Time, inForce bool) []Event {
	now := r.clock.Now()
	var evs []Event
	for _, p := range r.roleSeats() {
		if p.service.ID != id {
			continue
		}
		p.service.Ends = ends
		if !inForce || (!ends.IsZero() && !now.Before(ends)) {
			evs = append(evs, r.endSeat(p)...)
		}
	}
	return evs
}

// ExpireRoles ends the seats of the service roles whose last day is over
// by the room's clock, as their keys were verified with: for an owner that
// cannot ask the schedule (RoleChecked is the one that can).
func (r *Room) ExpireRoles() []Event {
	now := r.clock.Now()
	var evs []Event
	for _, p := range r.roleSeats() {
		if e := p.service.Ends; !e.IsZero() && !now.Before(e) {
			evs = append(evs, r.endSeat(p)...)
		}
	}
	return evs
}

// endSeat makes the chair a role's key seated a member, as a hand-over
// does the chair who hands over: it stays in the room, and everyone is told
// by the role event, whose reason says the role ended.
func (r *Room) endSeat(p *participant) []Event {
	evs := r.setRole(p, RoleMember)
	for i := range evs {
		if evs[i].Kind == KindRole {
			evs[i].Reason = CodeRoleEnded
		}
	}
	return evs
}

// roleSeats are the chairs a service role's key seated, in arrival order,
// so that events come out in a stable order.
func (r *Room) roleSeats() []*participant {
	var out []*participant
	for _, p := range r.people {
		if p.role == RoleChair && p.service.ID != 0 {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *participant) int { return cmp.Compare(a.seq, b.seq) })
	return out
}
