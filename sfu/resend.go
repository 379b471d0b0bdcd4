package sfu

import (
	"sync"
	"time"

	"github.com/pion/rtcp"
	"golang.org/x/time/rate"
)

// The server answers a subscriber's NACKs itself, from the last packets
// it sent that subscriber; the publisher is never asked. A client that
// keeps asking (an overloaded one, or a raider) must not turn its downlink
// into a retransmission storm and the server's CPU with it, so requests
// are thinned out the way a browser's sender does: each packet is resent
// a few times at most, not again before a round trip could have answered
// the last resend, and within a per-subscriber budget. A resent packet
// goes through the subscriber's writer like any other, so a publisher
// muted or removed since is not resent either.
const (
	nackSlots      = 256                   // remembered packets per video stream: about 3 s of video
	nackMaxResends = 3                     // resends of one packet
	nackMinGap     = 40 * time.Millisecond // between two resends of one packet
	nackPerSecond  = 1000                  // resends per subscriber per second
	nackBurst      = 1000
)

// sentRing remembers the last nackSlots packets of one video stream sent
// to one subscriber. The packets are shared with every other subscriber
// (video packets are never recycled: uptrack.go); a slot holds the
// reference, this subscriber's sequence number and timestamp.
type sentRing struct {
	mu    sync.Mutex // guards slots: the writer keeps, the RTCP reader answers
	slots [nackSlots]sentSlot
}

type sentSlot struct {
	in      *inPacket
	ts      uint32
	seq     uint16
	resends uint8
	last    time.Time // the last resend
}

// keep remembers a packet as sent. The subscriber's writer only.
func (r *sentRing) keep(op outPacket) {
	r.mu.Lock()
	r.slots[op.seq%nackSlots] = sentSlot{in: op.in, ts: op.ts, seq: op.seq}
	r.mu.Unlock()
}

// answer queues again each packet a NACK asks for that may be resent now.
func (r *sentRing) answer(dt *downTrack, nack *rtcp.TransportLayerNack, now time.Time) {
	for _, pair := range nack.Nacks {
		pair.Range(func(seq uint16) bool {
			if op, ok := r.take(seq, now, dt.sub.nackBudget); ok {
				op.dt = dt
				dt.sub.out.push(op)
			}
			return true
		})
	}
}

// take returns the packet sent as seq if it may be resent now, and
// records the resend.
func (r *sentRing) take(seq uint16, now time.Time, budget *rate.Limiter) (outPacket, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.slots[seq%nackSlots]
	if s.in == nil || s.seq != seq || s.resends >= nackMaxResends {
		return outPacket{}, false
	}
	if s.resends > 0 && now.Sub(s.last) < nackMinGap {
		return outPacket{}, false
	}
	if !budget.AllowN(now, 1) {
		return outPacket{}, false
	}
	s.resends++
	s.last = now
	return outPacket{in: s.in, seq: s.seq, ts: s.ts, resend: true}, true
}
