package sfu

import (
	"context"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// roleCheckTimeout bounds one check of a room's service roles.
const roleCheckTimeout = 10 * time.Second

// armRoleCheckLocked makes sure the room's service roles are checked in
// time: within RoleCheck, and at the earliest known last day's end. A
// room that no role's key seated a chair in arms nothing.
func (cr *controlRoom) armRoleCheckLocked() {
	if len(cr.st.SeatedRoles()) == 0 {
		return
	}
	now := cr.c.now()
	at := now.Add(cr.c.cfg.RoleCheck)
	// An end already past whose role could not be checked (the schedule
	// failed) waits for the next period, not a busy loop.
	if end := cr.st.NextRoleEnd(); end.After(now) && end.Before(at) {
		at = end
	}
	if cr.roleTimer != nil && !cr.roleDue.After(at) {
		return
	}
	if cr.roleTimer != nil {
		cr.roleTimer.Stop()
	}
	cr.roleDue = at
	cr.roleTimer = time.AfterFunc(at.Sub(now), cr.checkRoles)
}

// checkRoles asks the schedule about each service role whose key seated a
// chair in the room, and makes the chairs of a role that is gone or over
// members. Only a definite answer unseats: a role the schedule could not
// be asked about (the database is down) keeps its chairs, and is asked
// again at the next check. Rooms without a RoleChecker go by the end each
// key was verified with.
func (cr *controlRoom) checkRoles() {
	cr.mu.Lock()
	ids := cr.st.SeatedRoles()
	cr.roleTimer, cr.roleDue = nil, time.Time{}
	cr.mu.Unlock()

	type answer struct {
		id   int64
		ends time.Time
		ok   bool
	}
	var answers []answer
	if rc, checks := cr.c.rooms.(RoleChecker); checks {
		ctx, cancel := context.WithTimeout(context.Background(), roleCheckTimeout)
		for _, id := range ids {
			ends, ok, err := rc.RoleActive(ctx, cr.roomID, id)
			if err != nil {
				cr.c.log.Warn("could not check a service role; its chairs stay", "room", cr.roomID, "role", id, "err", err)
				continue
			}
			answers = append(answers, answer{id, ends, ok})
		}
		cancel()
	}

	cr.mu.Lock()
	var evs []control.Event
	for _, a := range answers {
		evs = append(evs, cr.st.RoleChecked(a.id, a.ends, a.ok)...)
	}
	if _, checks := cr.c.rooms.(RoleChecker); !checks {
		evs = cr.st.ExpireRoles()
	}
	out := cr.applyLocked(evs)
	cr.armRoleCheckLocked()
	cr.mu.Unlock()
	send(out)
}
