package sfu

import (
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// controlRoom binds one Room to its control state machine.
type controlRoom struct {
	c        *Controller
	roomID   string
	settings RoomSettings // read-only

	// mu guards st, peers, waiters, the timers and roleDue. Media gates are set under it
	// (atomic stores) so that two commands can never leave a stale gate;
	// messages are sent after it is released.
	mu      sync.Mutex
	st      *control.Room
	peers   map[control.ParticipantID]*Peer         // everyone st knows, waiting or admitted
	live    map[control.ParticipantID]bool          // admitted and subscribed (control-state sent)
	waiters map[control.ParticipantID]chan struct{} // closed when a waiting peer's fate is decided
	timer   *time.Timer                             // fires Tick when the share timer should end
	// roleTimer fires the next check of the service roles that seated
	// chairs (rolecheck.go), due at roleDue; nil while no role seats one.
	roleTimer *time.Timer
	roleDue   time.Time

	linger *time.Timer // drops the state after Linger; guarded by c.mu, not mu

	// salt keys the hashes of the bars carried to the room's next node;
	// read-only. carriedSig and carriedVersion are the last state saved
	// for it (nodes_carry.go); guarded by mu.
	salt           []byte
	carriedSig     string
	carriedVersion int64
}

// outbound is one message for one peer, sent after mu is released.
type outbound struct {
	to  *Peer
	msg any
	// disconnect, when set, closes the peer after the message.
	disconnect control.Code
	// gated: no message; the peer's media gate changed, and every message
	// waits until the packets checked against the old gate are written.
	gated bool
}

// applyLocked turns events into gate changes (now) and messages (returned,
// to send once mu is released).
func (cr *controlRoom) applyLocked(evs []control.Event) []outbound {
	var out []outbound
	for _, ev := range evs {
		msg := eventMsg(ev)
		for _, id := range cr.st.Recipients(ev.To) {
			p := cr.peers[id]
			if p == nil || !cr.deliverableLocked(id, ev) {
				continue
			}
			ob := outbound{to: p, msg: msg}
			if ev.Kind == control.KindDisconnect && ev.To.ID == id {
				ob.disconnect = ev.Reason
			}
			out = append(out, ob)
		}
		if p := cr.peers[ev.Subject]; p != nil && cr.effectLocked(p, ev) {
			out = append(out, outbound{to: p, gated: true})
		}
		if (ev.Kind == control.KindTimer || ev.Kind == control.KindTimerWarning) && !cr.st.NextTick().IsZero() {
			cr.scheduleTickLocked(cr.st.NextTick())
		}
		if (ev.Kind == control.KindAdmitted || ev.Kind == control.KindRole) && ev.Role == control.RoleChair {
			cr.armRoleCheckLocked()
		}
		if p := cr.peers[ev.Subject]; p != nil && ev.Kind == control.KindRenamed {
			p.room.rename(p, ev.Name) // what later joiners are told
		}
		if ev.Kind == control.KindDisconnect {
			delete(cr.peers, ev.Subject)
			delete(cr.live, ev.Subject)
		}
	}
	return out
}

// deliverableLocked says whether an event may be sent to id now. An
// admitted participant gets events once it has asked for control-state,
// which it does after its joined reply, so no event ever overtakes joined.
// A waiting participant gets what is addressed to it; a disconnect always
// goes out.
func (cr *controlRoom) deliverableLocked(id control.ParticipantID, ev control.Event) bool {
	return cr.live[id] || cr.waiters[id] != nil || ev.Kind == control.KindDisconnect
}

// effectLocked applies what an event means for its subject's media and
// admission, and reports whether it set the media gate.
func (cr *controlRoom) effectLocked(p *Peer, ev control.Event) bool {
	switch ev.Kind {
	case control.KindAdmitted, control.KindPerms:
		p.SetMediaGate(ev.Perms.Audio, ev.Perms.Video)
		if ev.Kind == control.KindAdmitted {
			cr.releaseLocked(ev.Subject)
		}
		return true
	case control.KindDisconnect:
		// Silence first: packets stop at once, before the connection winds
		// down.
		p.SetMediaGate(false, false)
		cr.releaseLocked(ev.Subject)
		return true
	}
	return false
}

// releaseLocked wakes the admission step of a waiting peer.
func (cr *controlRoom) releaseLocked(id control.ParticipantID) {
	if ch := cr.waiters[id]; ch != nil {
		close(ch)
		delete(cr.waiters, id)
	}
}

func (cr *controlRoom) scheduleTickLocked(at time.Time) {
	if cr.timer != nil {
		cr.timer.Stop()
	}
	cr.timer = time.AfterFunc(time.Until(at), func() {
		cr.mu.Lock()
		out := cr.applyLocked(cr.st.Tick())
		cr.mu.Unlock()
		send(out)
	})
}

// send waits for the gates that changed to take full effect, then
// delivers the messages and closes the peers that must go: once anyone
// reads that a gate closed (the chair's "secure" included), not one more
// packet of that kind is forwarded. The waits run side by side, so a
// command that closes forty gates waits about as long as one.
func send(out []outbound) {
	var wg sync.WaitGroup
	for _, ob := range out {
		if ob.gated {
			wg.Go(ob.to.AwaitGate)
		}
	}
	wg.Wait()
	for _, ob := range out {
		if ob.gated {
			continue
		}
		_ = ob.to.Send(ob.msg)
		if ob.disconnect != "" {
			ob.to.Disconnect(closeCodeFor(ob.disconnect), string(ob.disconnect))
		}
	}
}

func closeCodeFor(reason control.Code) int {
	switch reason {
	case control.CodeRemoved, control.CodeDenied:
		return CloseRemoved
	case control.CodeSentToWaiting:
		return CloseWaiting
	}
	return CloseNormal
}

// do runs f on the state machine under the lock and applies its events.
func (cr *controlRoom) do(f func(st *control.Room) ([]control.Event, error)) error {
	cr.mu.Lock()
	evs, err := f(cr.st)
	out := cr.applyLocked(evs)
	version, carried := cr.carryLocked()
	cr.mu.Unlock()
	send(out)
	if version > 0 {
		cr.c.carry.save(cr.roomID, version, carried)
	}
	return err
}

// leave tells the state machine that p has gone.
func (cr *controlRoom) leave(p *Peer) {
	id := control.ParticipantID(p.ID())
	cr.mu.Lock()
	if cr.peers[id] != p {
		cr.mu.Unlock()
		cr.c.forget(cr)
		return
	}
	delete(cr.peers, id)
	delete(cr.live, id)
	cr.releaseLocked(id)
	out := cr.applyLocked(cr.st.Leave(id))
	if len(cr.peers) == 0 && cr.timer != nil {
		cr.timer.Stop()
	}
	cr.mu.Unlock()
	send(out)
	cr.c.forget(cr)
}
