package bwe

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// Sequence numbers wrap: a run that starts just below 65535 estimates
// exactly as one that starts at 0.
func TestSequenceWrap(t *testing.T) {
	trace := func(first uint16) []int64 {
		s := newSim(t, hearth, &link{capacity: 500_000, queue: 30_000, prop: 20 * time.Millisecond, jitter: time.Millisecond})
		s.seq = first
		rs := &rateSender{size: 1000}
		tr := s.run(8*time.Second, func(s *sim) { rs.burst(s, 1_500_000) })
		if first != 0 && s.seq > first {
			t.Fatalf("the run from %d did not wrap (at %d)", first, s.seq)
		}
		return tr
	}
	from0, wrapping := trace(0), trace(65_000)
	for i := range from0 {
		if from0[i] != wrapping[i] {
			t.Fatalf("tick %d: estimate %d starting at 0, %d starting at 65000", i, from0[i], wrapping[i])
		}
	}
	if from0[len(from0)-1] >= 600_000 {
		t.Fatalf("the run saw no congestion (estimate %d): it shows nothing", from0[len(from0)-1])
	}
}

// Each feedback delivered twice: the second changes nothing, and the
// estimate is the same as with each delivered once.
func TestDuplicateFeedbackChangesNothing(t *testing.T) {
	run := func(twice bool) []int64 {
		l := &link{capacity: 480_000, queue: 15_000, prop: 20 * time.Millisecond, jitter: time.Millisecond}
		s := newSim(t, hearth, l)
		if twice {
			s.deliver = func(fb *rtcp.TransportLayerCC, at time.Time) {
				s.e.Feedback(fb, at)
				before, target := s.e.st, s.e.Target()
				s.e.Feedback(fb, at.Add(time.Millisecond))
				if s.e.st != before || s.e.Target() != target {
					t.Fatalf("a duplicate feedback changed the estimator")
				}
			}
		}
		ly := &layers{sizes: [3]int{400, 730, 1060}, cur: 2}
		return s.run(15*time.Second, ly.burst)
	}
	once, twice := run(false), run(true)
	for i := range once {
		if once[i] != twice[i] {
			t.Fatalf("tick %d: estimate %d with feedback once, %d twice", i, once[i], twice[i])
		}
	}
}

// Feedback delivered out of order (each pair swapped) estimates much as
// feedback in order does: down under a bottleneck, up without one.
func TestReorderedFeedback(t *testing.T) {
	run := func(swap bool) (limited, lifted []int64) {
		l := &link{capacity: 480_000, queue: 30_000, prop: 20 * time.Millisecond, jitter: time.Millisecond}
		s := newSim(t, hearth, l)
		var held *inFlightFeedback
		if swap {
			s.deliver = func(fb *rtcp.TransportLayerCC, at time.Time) {
				if held == nil {
					held = &inFlightFeedback{fb, at}
					return
				}
				s.e.Feedback(fb, at)
				s.e.Feedback(held.fb, at)
				held = nil
			}
		}
		rs := &rateSender{size: 1000}
		limited = s.run(5*time.Second, func(s *sim) { rs.burst(s, 1_000_000) })
		l.capacity = 0
		lifted = s.run(15*time.Second, func(s *sim) { rs.burst(s, 1_000_000) })
		t.Logf("swapped %v: limited %v; lifted %v (kbit/s)", swap, every(limited, s.tick), every(lifted, s.tick))
		return limited, lifted
	}
	inOrder, _ := run(false)
	limited, lifted := run(true)
	if last := limited[len(limited)-1]; last >= 600_000 {
		t.Fatalf("with reordered feedback the estimate stayed at %d above a 480 kbit/s bottleneck (in order: %d)", last, inOrder[len(inOrder)-1])
	}
	if first, last := lifted[0], lifted[len(lifted)-1]; last < 2*first {
		t.Fatalf("with reordered feedback and no bottleneck the estimate went from %d to %d in 15 s", first, last)
	}
}

// fakeChunk is a status chunk of no kind rtcp parses.
type fakeChunk struct{}

func (fakeChunk) Marshal() ([]byte, error) { return nil, nil }
func (fakeChunk) Unmarshal([]byte) error   { return nil }

// Feedback that is malformed, or about packets the estimator does not
// hold, changes nothing and does not panic.
func TestBadFeedbackChangesNothing(t *testing.T) {
	s := newSim(t, hearth, &link{capacity: 500_000, queue: 30_000, prop: 20 * time.Millisecond})
	rs := &rateSender{size: 1000}
	s.run(3*time.Second, func(s *sim) { rs.burst(s, 1_500_000) })
	for range 20 { // packets no feedback has covered yet
		s.send(1000)
	}
	recent := s.seq - 20
	received := func(n uint16) *rtcp.RunLengthChunk {
		return &rtcp.RunLengthChunk{PacketStatusSymbol: rtcp.TypeTCCPacketReceivedSmallDelta, RunLength: n}
	}
	deltas := func(n int) []*rtcp.RecvDelta {
		d := make([]*rtcp.RecvDelta, n)
		for i := range d {
			d[i] = &rtcp.RecvDelta{Type: rtcp.TypeTCCPacketReceivedSmallDelta, Delta: 1000}
		}
		return d
	}
	fb := func(base, count uint16, chunks []rtcp.PacketStatusChunk, d []*rtcp.RecvDelta) *rtcp.TransportLayerCC {
		return &rtcp.TransportLayerCC{BaseSequenceNumber: base, PacketStatusCount: count, ReferenceTime: 100,
			PacketChunks: chunks, RecvDeltas: d}
	}
	nilDeltas := deltas(10)
	nilDeltas[4] = nil
	var nilRun *rtcp.RunLengthChunk
	for _, c := range []struct {
		name string
		fb   *rtcp.TransportLayerCC
	}{
		{"nil", nil},
		{"no statuses", fb(recent, 0, []rtcp.PacketStatusChunk{received(10)}, deltas(10))},
		{"no chunks", fb(recent, 10, nil, deltas(10))},
		{"more statuses than the history holds", fb(recent, ringSize+1, []rtcp.PacketStatusChunk{received(ringSize + 1)}, deltas(ringSize+1))},
		{"chunks short of the count", fb(recent, 20, []rtcp.PacketStatusChunk{received(10)}, deltas(20))},
		{"fewer deltas than received statuses", fb(recent, 10, []rtcp.PacketStatusChunk{received(10)}, deltas(5))},
		{"no deltas", fb(recent, 10, []rtcp.PacketStatusChunk{received(10)}, nil)},
		{"a nil delta", fb(recent, 10, []rtcp.PacketStatusChunk{received(10)}, nilDeltas)},
		{"a nil chunk", fb(recent, 10, []rtcp.PacketStatusChunk{nilRun}, deltas(10))},
		{"a chunk of no known kind", fb(recent, 10, []rtcp.PacketStatusChunk{fakeChunk{}}, deltas(10))},
		{"an unknown symbol", fb(recent, 10, []rtcp.PacketStatusChunk{&rtcp.RunLengthChunk{PacketStatusSymbol: 7, RunLength: 10}}, deltas(10))},
		{"a nil status vector", fb(recent, 7, []rtcp.PacketStatusChunk{(*rtcp.StatusVectorChunk)(nil)}, deltas(7))},
		{"packets never sent", fb(s.seq+20_000, 10, []rtcp.PacketStatusChunk{received(10)}, deltas(10))},
		{"packets sent too long ago", fb(s.seq-5_000, 10, []rtcp.PacketStatusChunk{received(10)}, deltas(10))},
		{"the next packets, not sent yet", fb(s.seq, 10, []rtcp.PacketStatusChunk{received(10)}, deltas(10))},
	} {
		before, target := s.e.st, s.e.Target()
		s.e.Feedback(c.fb, s.now)
		if s.e.st != before || s.e.Target() != target {
			t.Errorf("%s: the feedback changed the estimator", c.name)
		}
	}
	// the same recent packets, well formed, are taken: the cases above
	// were refused for what they got wrong, not for what they were about
	before := s.e.st
	s.e.Feedback(fb(recent, 10, []rtcp.PacketStatusChunk{received(10)}, deltas(10)), s.now)
	if s.e.st == before {
		t.Fatal("a well-formed feedback about packets just sent changed nothing")
	}
}

// Feedback before any packet was sent is ignored.
func TestFeedbackBeforeSent(t *testing.T) {
	e := New(hearth)
	e.Feedback(&rtcp.TransportLayerCC{PacketStatusCount: 1,
		PacketChunks: []rtcp.PacketStatusChunk{&rtcp.RunLengthChunk{PacketStatusSymbol: rtcp.TypeTCCPacketReceivedSmallDelta, RunLength: 1}},
		RecvDeltas:   []*rtcp.RecvDelta{{Type: rtcp.TypeTCCPacketReceivedSmallDelta, Delta: 250}}}, simStart)
	if e.Target() != hearth.Initial {
		t.Fatalf("estimate %d, want the initial %d", e.Target(), hearth.Initial)
	}
}

// New keeps the configuration's bounds sensible.
func TestConfigBounds(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want int64
	}{
		{hearth, 1_500_000},
		{Config{Initial: 50_000, Min: 100_000, Max: 1_000_000}, 100_000},
		{Config{Initial: 5_000_000, Min: 100_000, Max: 1_000_000}, 1_000_000},
		{Config{}, 1},
		{Config{Initial: 10, Min: 100, Max: 50}, 100},
	} {
		if got := New(c.cfg).Target(); got != c.want {
			t.Errorf("New(%+v).Target() = %d, want %d", c.cfg, got, c.want)
		}
	}
}

// Any bytes rtcp parses as feedback are safe to hand over.
func FuzzFeedback(f *testing.F) {
	s := newSim(&testing.T{}, hearth, &link{capacity: 500_000, queue: 30_000, prop: 20 * time.Millisecond})
	rs := &rateSender{size: 1000}
	s.run(time.Second, func(s *sim) { rs.burst(s, 1_500_000) })
	for range 50 {
		s.send(1000)
	}
	for _, p := range s.rec.BuildFeedbackPacket() {
		b, _ := p.Marshal()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := rtcp.Unmarshal(b)
		if err != nil {
			return
		}
		e := New(hearth)
		for i := range 300 {
			e.Sent(uint16(i), 1000, simStart.Add(time.Duration(i)*time.Millisecond))
		}
		for _, p := range ps {
			if fb, ok := p.(*rtcp.TransportLayerCC); ok {
				e.Feedback(fb, simStart.Add(time.Second))
				e.Feedback(fb, simStart.Add(time.Second))
			}
		}
		if tg := e.Target(); tg < hearth.Min || tg > hearth.Max {
			t.Fatalf("estimate %d out of bounds", tg)
		}
	})
}

// A received packet the estimator does not know still moves the arrival
// clock: the packets after it get their own arrival times (Pion's adapter
// skipped the deltas of packets it had evicted).
func TestUnknownPacketKeepsArrivalsAligned(t *testing.T) {
	e := New(hearth)
	for i := range uint16(10) {
		if i != 5 { // never recorded, as if sent outside the estimator
			e.Sent(i, 1000, simStart.Add(time.Duration(i)*time.Millisecond))
		}
	}
	d := make([]*rtcp.RecvDelta, 10)
	for i := range d {
		d[i] = &rtcp.RecvDelta{Type: rtcp.TypeTCCPacketReceivedSmallDelta, Delta: 1000}
	}
	d[5].Delta = 50_000 // the unknown packet came 50 ms late; the ones after it too
	fb := &rtcp.TransportLayerCC{BaseSequenceNumber: 0, PacketStatusCount: 10, ReferenceTime: 1,
		PacketChunks: []rtcp.PacketStatusChunk{&rtcp.RunLengthChunk{PacketStatusSymbol: rtcp.TypeTCCPacketReceivedSmallDelta, RunLength: 10}},
		RecvDeltas:   d}
	e.Feedback(fb, simStart.Add(100*time.Millisecond))
	// reference time 1 (64 ms), nine deltas of 1 ms and one of 50 ms
	if want := int64(64_000 + 9*1_000 + 50_000); e.st.acked.lastArr != want {
		t.Fatalf("last arrival %d µs, want %d", e.st.acked.lastArr, want)
	}
}
