package bwe

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
)

// A small simulated path: the sender's packets cross a bottleneck of
// capacity bits/s with a FIFO queue of queue bytes (tail drop) and a fixed
// propagation delay; the receiver records arrivals with Pion's TWCC
// recorder (the feedback a Pion client sends, built as Chrome's is) every
// fbEvery, and the feedback, marshalled and parsed again, reaches the
// sender after the same propagation delay. Time is simulated: every run
// is the same.

// link is the bottleneck.
type link struct {
	capacity float64       // bits/s; 0: no bottleneck
	queue    int           // bytes the queue holds
	prop     time.Duration // one way, each direction
	jitter   time.Duration // up to this much random delay per packet (order kept)
	rnd      *rand.Rand
	free     time.Time // when the bottleneck has sent what it holds
	lastArr  time.Time
	dropped  int
}

// pass returns when a packet of size bytes sent at at arrives, or false
// when the queue drops it.
func (l *link) pass(at time.Time, size int) (time.Time, bool) {
	out := at
	if l.capacity > 0 {
		if l.free.Before(at) {
			l.free = at
		}
		backlog := l.free.Sub(at).Seconds() * l.capacity / 8
		if backlog+float64(size) > float64(l.queue) {
			l.dropped++
			return time.Time{}, false
		}
		l.free = l.free.Add(time.Duration(float64(size*8) / l.capacity * float64(time.Second)))
		out = l.free
	}
	arr := out.Add(l.prop)
	if l.jitter > 0 {
		arr = arr.Add(time.Duration(l.rnd.Int64N(int64(l.jitter))))
	}
	if arr.Before(l.lastArr) {
		arr = l.lastArr
	}
	l.lastArr = arr
	return arr, true
}

type arrival struct {
	seq uint16
	at  time.Time
}

type inFlightFeedback struct {
	fb *rtcp.TransportLayerCC
	at time.Time
}

// sim drives one estimator over one link.
type sim struct {
	t        *testing.T
	e        *Estimator
	link     *link
	now      time.Time
	tick     time.Duration // the sender's burst interval
	fbEvery  time.Duration
	nextFB   time.Time
	seq      uint16
	rec      *twcc.Recorder
	arrivals []arrival          // not yet recorded by the receiver
	feedback []inFlightFeedback // on the way back
	// deliver hands feedback to the estimator; tests may reorder or repeat.
	deliver   func(fb *rtcp.TransportLayerCC, at time.Time)
	sentBytes int64
}

var simStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newSim(t *testing.T, c Config, l *link) *sim {
	s := &sim{t: t, e: New(c), link: l, now: simStart, tick: 5 * time.Millisecond,
		fbEvery: 50 * time.Millisecond, rec: twcc.NewRecorder(1)}
	if l.rnd == nil {
		l.rnd = rand.New(rand.NewPCG(1, 2))
	}
	s.nextFB = s.now.Add(s.fbEvery)
	s.deliver = s.e.Feedback
	return s
}

// send sends one packet now.
func (s *sim) send(size int) {
	s.e.Sent(s.seq, size, s.now)
	if arr, ok := s.link.pass(s.now, size); ok {
		s.arrivals = append(s.arrivals, arrival{s.seq, arr})
	}
	s.seq++
	s.sentBytes += int64(size)
}

// step advances one tick after the sender's burst: the receiver builds
// its feedback when due, and feedback that has arrived is delivered.
func (s *sim) step() {
	s.now = s.now.Add(s.tick)
	for !s.nextFB.After(s.now) {
		s.buildFeedback(s.nextFB)
		s.nextFB = s.nextFB.Add(s.fbEvery)
	}
	n := 0
	for _, f := range s.feedback {
		if f.at.After(s.now) {
			s.feedback[n] = f
			n++
			continue
		}
		s.deliver(f.fb, f.at)
	}
	s.feedback = s.feedback[:n]
}

// buildFeedback records what has arrived by at and sends the feedback.
func (s *sim) buildFeedback(at time.Time) {
	n := 0
	for _, a := range s.arrivals {
		if a.at.After(at) {
			s.arrivals[n] = a
			n++
			continue
		}
		// the receiver's clock has an origin of its own
		s.rec.Record(5, a.seq, a.at.Sub(simStart).Microseconds()+3_600_000_000)
	}
	s.arrivals = s.arrivals[:n]
	for _, p := range s.rec.BuildFeedbackPacket() {
		s.feedback = append(s.feedback, inFlightFeedback{wire(s.t, p), at.Add(s.link.prop)})
	}
}

// wire marshals a feedback packet and parses it again, as it reaches the
// server.
func wire(t *testing.T, p rtcp.Packet) *rtcp.TransportLayerCC {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatalf("marshal feedback: %v", err)
	}
	ps, err := rtcp.Unmarshal(b)
	if err != nil {
		t.Fatalf("unmarshal feedback: %v", err)
	}
	fb, ok := ps[0].(*rtcp.TransportLayerCC)
	if !ok || len(ps) != 1 {
		t.Fatalf("feedback parsed as %T", ps[0])
	}
	return fb
}

// rateSender sends rate() bits/s in packets of size bytes, one burst a
// tick.
type rateSender struct {
	size   int
	credit float64
}

func (r *rateSender) burst(s *sim, rate float64) {
	r.credit += rate * s.tick.Seconds() / 8
	for r.credit >= float64(r.size) {
		s.send(r.size)
		r.credit -= float64(r.size)
	}
}

// run sends at rate(s) for d and returns the estimate after each tick.
func (s *sim) run(d time.Duration, burst func(s *sim)) []int64 {
	var trace []int64
	for end := s.now.Add(d); s.now.Before(end); {
		burst(s)
		s.step()
		trace = append(trace, s.e.Target())
	}
	return trace
}

// layers crudely stands for sfu/layers.go: three simulcast layers of 3
// packets a frame at 30 frames/s; once a second the estimate may cut the
// layer (and hold it down for 5 s, doubling on each cut in a row), and
// while the estimate covers the current layer and no hold runs, it steps
// one layer up (the probe).
type layers struct {
	sizes     [3]int // bytes per packet on the wire
	cur       int
	nextFrame time.Time
	nextAlloc time.Time
	cutAt     time.Time
	hold      time.Duration
	changes   []string
}

func (l *layers) rate(layer int) int64 { return int64(l.sizes[layer]) * 8 * 3 * 30 }

func (l *layers) burst(s *sim) {
	if l.nextFrame.IsZero() {
		l.nextFrame, l.nextAlloc = s.now, s.now.Add(time.Second)
	}
	for !l.nextFrame.After(s.now) {
		for range 3 {
			s.send(l.sizes[l.cur])
		}
		l.nextFrame = l.nextFrame.Add(time.Second / 30)
	}
	if s.now.Before(l.nextAlloc) {
		return
	}
	l.nextAlloc = l.nextAlloc.Add(time.Second)
	est := s.e.Target()
	switch {
	case est >= l.rate(l.cur) && s.now.Sub(l.cutAt) >= l.hold:
		if l.cur < 2 {
			l.set(s, l.cur+1)
		}
	case est < l.rate(l.cur) && l.cur > 0:
		n := 0
		for n < l.cur && l.rate(n+1) <= est {
			n++
		}
		if n == l.cur {
			return
		}
		if s.now.Sub(l.cutAt) > 160*time.Second {
			l.hold = 0
		}
		l.hold = min(max(2*l.hold, 5*time.Second), 80*time.Second)
		l.cutAt = s.now
		l.set(s, n)
	}
}

func (l *layers) set(s *sim, n int) {
	if n != l.cur {
		l.changes = append(l.changes, s.now.Sub(simStart).Round(time.Millisecond).String()+": "+"qhf"[n:n+1])
	}
	l.cur = n
}
