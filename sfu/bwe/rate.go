package bwe

import "math"

// The delay-based rate: additive-increase, multiplicative-decrease driven
// by the detector (draft-ietf-rmcat-gcc-02 section 5.5), with the state
// machine and increase rules of Pion's gcc.
const (
	beta         = 0.85 // on over-use the rate becomes this times the acknowledged rate
	mulPerSecond = 1.08 // multiplicative increase far from the last over-use
	maxAckedGain = 1.5  // an increase crossing this times the acknowledged rate stops there
	emaAlpha     = 0.95 // weight of a new sample in the over-use rate average
	responseBase = 100_000
	minAdditive  = 4_000 // bits/s per second
	framesPerSec = 30
	packetBits   = 1_200 * 8
)

// phase is the rate controller's state.
type phase int8

const (
	increasing phase = iota
	decreasing
	holding
)

// next is the state the detector's verdict leads to.
func (p phase) next(u usage) phase {
	switch {
	case u == overusing:
		return decreasing
	case u == underusing:
		return holding
	case p == decreasing:
		return holding // normal after a decrease: wait for the queue to drain
	}
	return increasing
}

// ema is the average and deviation of the acknowledged rate at over-use.
type ema struct{ avg, dev float64 }

func (m *ema) add(v float64) {
	if m.avg == 0 {
		m.avg = v
		return
	}
	x := v - m.avg
	m.avg += emaAlpha * x
	variance := (1 - emaAlpha) * (m.dev*m.dev + emaAlpha*x*x)
	m.dev = math.Sqrt(variance)
}

// near reports whether rate is within three deviations of the average:
// the link's capacity is close, so increases are additive.
func (m *ema) near(rate float64) bool {
	return m.avg > 0 && rate > m.avg-3*m.dev && rate < m.avg+3*m.dev
}

// aimd is the delay-based rate controller.
type aimd struct {
	rate      float64 // bits/s
	phase     phase
	changeAt  int64 // µs: when the rate last changed (or the increase began)
	atOveruse ema
	rttUs     int64
}

// update applies the detector's verdict at nowUs (the sender's clock) with
// the acknowledged rate acked (bits/s, 0: unknown yet).
func (c *aimd) update(u usage, nowUs int64, acked float64, lo, hi float64) {
	next := c.phase.next(u)
	if next == increasing && c.phase != increasing {
		c.changeAt = nowUs // the increase starts now, not when the hold began
	}
	c.phase = next
	switch next {
	case increasing:
		c.rate = min(max(c.increase(nowUs, acked), lo), hi)
		c.changeAt = nowUs
	case decreasing:
		if acked > 0 {
			c.rate = min(max(min(c.rate, beta*acked), lo), hi)
			c.atOveruse.add(acked)
		}
		c.changeAt = nowUs
	}
}

// increase is the rate after an increase step.
func (c *aimd) increase(nowUs int64, acked float64) float64 {
	dt := min(max(float64(nowUs-c.changeAt)/1e6, 0), 1)
	capped := maxAckedGain * acked
	if c.atOveruse.near(acked) {
		// close to the capacity last measured: about half a packet a
		// response time, and never beyond the cap (libwebrtc)
		r := c.rate + c.additivePerSecond()*dt
		if acked > 0 && r > capped {
			r = max(c.rate, capped)
		}
		return r
	}
	r := c.rate * math.Pow(mulPerSecond, dt)
	if acked > 0 && r > capped && capped > c.rate {
		// Pion's cap: it stops an increase that crosses it, but a rate
		// already at or above it goes on growing
		r = capped
	}
	return r
}

// additivePerSecond is the additive increase in bits/s per second: one
// average packet per response time (100 ms + RTT), packets sized for 30
// frames a second at the current rate.
func (c *aimd) additivePerSecond() float64 {
	frameBits := c.rate / framesPerSec
	perFrame := math.Ceil(frameBits / packetBits)
	avgPacket := frameBits / max(perFrame, 1)
	response := float64(responseBase+c.rttUs) / 1e6
	return max(minAdditive, avgPacket/response)
}

// ackedWindow is the rate of bytes reported received, over the last
// ackedBuckets x bucketUs of arrival time.
const (
	bucketUs     = 8_000
	ackedBuckets = 64 // 512 ms
)

type bucket struct{ idx, bytes int64 }

type ackedWindow struct {
	b        [ackedBuckets]bucket
	started  bool
	firstArr int64 // µs
	lastArr  int64 // µs, the latest arrival seen
}

// add counts size bytes arriving at arr (µs).
func (w *ackedWindow) add(arr, size int64) {
	if !w.started {
		w.started, w.firstArr, w.lastArr = true, arr, arr
	}
	w.firstArr, w.lastArr = min(w.firstArr, arr), max(w.lastArr, arr)
	idx := arr / bucketUs
	if idx <= w.lastArr/bucketUs-ackedBuckets {
		return // older than the window
	}
	b := &w.b[uint64(idx)%ackedBuckets] // uint64: a hostile clock may go negative
	if b.idx != idx {
		*b = bucket{idx: idx}
	}
	b.bytes += size
}

// rate is the acknowledged rate in bits/s, 0 before any arrival.
func (w *ackedWindow) rate() float64 {
	if !w.started {
		return 0
	}
	last := w.lastArr / bucketUs
	var sum int64
	for _, b := range w.b {
		if b.idx > last-ackedBuckets && b.idx <= last {
			sum += b.bytes
		}
	}
	span := min(max(w.lastArr-w.firstArr, bucketUs), ackedBuckets*bucketUs)
	return float64(sum*8) * 1e6 / float64(span)
}
