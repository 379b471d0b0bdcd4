package bwe

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
)

// Config bounds the estimate, in bits/s.
type Config struct {
	Initial int64 // the estimate before any feedback
	Min     int64 // it never falls below this (at least 1)
	Max     int64 // nor rises above this (at least Min)
}

// Estimator is one subscriber connection's send-side bandwidth estimate.
// Sent is called from one goroutine only; Feedback and Target from any.
type Estimator struct {
	lo, hi float64 // Config's Min and Max; immutable

	w writer // Sent's goroutine only
	// epoch is the first packet's departure: written once by the first
	// Sent before its first store to anchor, read-only after that (a
	// Feedback that loads a non-zero anchor may read it).
	epoch time.Time
	// anchor is an extended sequence number within 2^anchorBits of every
	// packet of the ring's last lap, 0 before the first packet. Sent stores,
	// Feedback loads.
	anchor atomic.Int64
	// ring is the history of sent packets (history.go). Sent stores slots;
	// Feedback loads them and sets their report bits by compare-and-swap,
	// which fails, harmlessly, when Sent has reused the slot meanwhile.
	ring [ringSize]atomic.Uint64

	target atomic.Int64 // bits/s; stored under mu, loaded by Target

	mu sync.Mutex // serialises Feedback
	st control    // guarded by mu
}

// control is the estimator's state apart from the sent history: a plain
// value, so that tests can check a feedback changed none of it.
type control struct {
	haveRef   bool
	ref       int64 // the last feedback's reference time, unwrapped, in 64 ms units
	delayHigh int64 // the highest extended sequence number the delay path has seen
	arrivals  arrivals
	trend     trendline
	rate      aimd
	loss      lossControl
	acked     ackedWindow
}

// New returns an estimator starting at c.Initial.
func New(c Config) *Estimator {
	lo := max(c.Min, 1)
	hi := max(c.Max, lo)
	initial := min(max(c.Initial, lo), hi)
	e := &Estimator{lo: float64(lo), hi: float64(hi)}
	e.st = control{
		trend: newTrendline(),
		rate:  aimd{rate: float64(initial)},
		loss:  newLossControl(float64(initial)),
	}
	e.target.Store(initial)
	return e
}

// Target is the current estimate in bits/s.
func (e *Estimator) Target() int64 { return e.target.Load() }

// Sent records one packet as it leaves: its transport-wide sequence number
// (the 16-bit value of its TWCC header extension), its size in bytes on
// the wire (RTP header and payload; up to 2047 counted) and when it left.
// Sent is called from one goroutine only, for every packet that carries a
// transport-wide sequence number; it does not allocate or take a lock.
func (e *Estimator) Sent(seq uint16, size int, at time.Time) {
	w := &e.w
	if !w.started {
		w.started, w.ext = true, firstExt+int64(seq)
		e.epoch = at
		w.block = w.ext >> anchorBits
		e.anchor.Store(w.ext)
	} else {
		w.ext += int64(int16(seq - w.last))
		if b := w.ext >> anchorBits; b != w.block {
			w.block = b
			e.anchor.Store(w.ext) // before the slot: readers must find it
		}
	}
	w.last = seq
	e.ring[w.ext&ringMask].Store(slotWord(w.ext, size, at.Sub(e.epoch)))
}

// Feedback takes one transport-wide congestion control feedback from the
// subscriber, received at at (the clock Sent's times come from). Feedback
// that is malformed (statuses the chunks do not cover, fewer deltas than
// timed statuses, unknown chunks or symbols) changes nothing; statuses of
// packets not in the history (never sent, or more than 4,096 packets ago)
// and second reports of a packet are skipped.
func (e *Estimator) Feedback(fb *rtcp.TransportLayerCC, at time.Time) {
	if fb == nil {
		return
	}
	anchor := e.anchor.Load()
	if anchor == 0 {
		return // nothing sent yet
	}
	latest, ok := checkFeedback(fb)
	if !ok {
		return
	}
	nowUs := at.Sub(e.epoch).Microseconds()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.feedbackLocked(fb, anchor, latest, nowUs)
	e.target.Store(int64(min(e.st.rate.rate, e.st.loss.rate)))
}

// feedbackLocked applies a checked feedback. e.mu is held.
func (e *Estimator) feedbackLocked(fb *rtcp.TransportLayerCC, anchor, latest, nowUs int64) {
	st := &e.st
	ref := int64(fb.ReferenceTime & 0xffffff)
	if st.haveRef {
		// the reference time is 24 bits of 64 ms: take the nearest to the last
		d := (ref - st.ref) & 0xffffff
		if d >= 1<<23 {
			d -= 1 << 24
		}
		ref = st.ref + d
	}
	base := ref * 64_000
	arr := base
	latest += base
	s := statuses{fb: fb}
	lost, reported, delta := 0, 0, 0
	minRTT := int64(math.MaxInt64)
	for i := 0; ; i++ {
		sym, more := s.next()
		if !more {
			break
		}
		if timed(sym) {
			arr += fb.RecvDeltas[delta].Delta
			delta++
		}
		ext := unwrapNear(anchor, fb.BaseSequenceNumber+uint16(i))
		word, first := e.report(ext, sym != rtcp.TypeTCCPacketNotReceived)
		if !first {
			continue
		}
		reported++
		if sym == rtcp.TypeTCCPacketNotReceived {
			lost++
			continue
		}
		if !timed(sym) {
			continue
		}
		dep := slotDeparture(word, nowUs)
		minRTT = min(minRTT, nowUs-dep-(latest-arr))
		st.acked.add(arr, slotSize(word))
		if ext > st.delayHigh { // older feedback arriving late: no use for timing
			st.delayHigh = ext
			if sd, ad, ok := st.arrivals.add(dep, arr); ok {
				u := st.trend.update(sd, ad, arr)
				st.rate.update(u, nowUs, st.acked.rate(), e.lo, e.hi)
			}
		}
	}
	if reported == 0 {
		return // nothing we sent: change nothing
	}
	st.haveRef, st.ref = true, ref
	if minRTT >= 0 && minRTT < math.MaxInt64 {
		st.rate.rttUs = minRTT
	}
	st.loss.update(lost, reported, nowUs, e.lo, e.hi)
	// the loss-based rate only ever lowers the delay-based one (Pion)
	st.loss.rate = min(st.loss.rate, st.rate.rate)
}

// report marks packet ext as reported received or lost, and returns its
// slot and whether this is the first such report (a packet reported lost
// may later be reported received). false: not in the history, or
// reported already.
func (e *Estimator) report(ext int64, received bool) (uint64, bool) {
	slot := &e.ring[ext&ringMask]
	word := slot.Load()
	if !slotHolds(word, ext) {
		return 0, false
	}
	bit, seen := lostBit, rcvdBit|lostBit
	if received {
		bit, seen = rcvdBit, rcvdBit
	}
	if word&seen != 0 || !slot.CompareAndSwap(word, word|bit) {
		return 0, false
	}
	return word, true
}
