package bwe

import (
	"testing"
	"time"
)

// hearth is the configuration sfu/bwe.go uses.
var hearth = Config{Initial: 1_500_000, Min: 100_000, Max: 20_000_000}

// every returns one sample a second of a trace of ticks, for logs.
func every(trace []int64, tick time.Duration) []int64 {
	var out []int64
	n := int(time.Second / tick)
	for i := n - 1; i < len(trace); i += n {
		out = append(out, trace[i]/1000)
	}
	return out
}

// Under capacity, with no queueing, the estimate only rises, and goes
// past what is sent by half (multiplicative increase: Pion's cap at 1.5
// times the acknowledged rate stops a crossing, not a rate above it).
func TestUnderCapacityRises(t *testing.T) {
	for _, c := range []struct {
		name    string
		initial int64
		send    float64
	}{
		{"from Hearth's initial", hearth.Initial, 1_000_000},
		{"from below what is sent", 500_000, 1_000_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := hearth
			cfg.Initial = c.initial
			s := newSim(t, cfg, &link{capacity: 10_000_000, queue: 1 << 20, prop: 20 * time.Millisecond, jitter: time.Millisecond})
			rs := &rateSender{size: 1000}
			trace := s.run(20*time.Second, func(s *sim) { rs.burst(s, c.send) })
			t.Logf("estimate each second (kbit/s): %v", every(trace, s.tick))
			for i := 1; i < len(trace); i++ {
				if trace[i] < trace[i-1] {
					t.Fatalf("the estimate fell from %d to %d at %v with no congestion", trace[i-1], trace[i], time.Duration(i)*s.tick)
				}
			}
			if last := trace[len(trace)-1]; last < int64(1.5*c.send) || last > hearth.Max {
				t.Fatalf("after 20 s sending %.0f bit/s under capacity the estimate is %d", c.send, last)
			}
			if s.link.dropped != 0 {
				t.Fatalf("the link dropped %d packets", s.link.dropped)
			}
		})
	}
}

// Above a 500 kbit/s bottleneck with a deep queue, the delay-based
// detector brings the estimate below 600 kbit/s before the queue
// overflows.
func TestOverCapacityDelay(t *testing.T) {
	s := newSim(t, hearth, &link{capacity: 500_000, queue: 200_000, prop: 20 * time.Millisecond})
	rs := &rateSender{size: 1000}
	var at time.Duration
	dropped := -1
	trace := s.run(5*time.Second, func(s *sim) {
		rs.burst(s, 1_500_000)
		if dropped < 0 && s.e.Target() < 600_000 {
			at, dropped = s.now.Sub(simStart), s.link.dropped
		}
	})
	t.Logf("estimate each second (kbit/s): %v; below 600 kbit/s after %v with %d packets dropped", every(trace, s.tick), at, dropped)
	if dropped != 0 {
		t.Fatalf("the estimate did not fall below 600 kbit/s before the queue overflowed (dropped %d, at %v)", dropped, at)
	}
	if last := trace[len(trace)-1]; last >= 600_000 {
		t.Fatalf("the estimate is %d after 5 s above a 500 kbit/s bottleneck", last)
	}
}

// With a queue of two packets there is hardly any delay to see: the loss
// it causes brings the estimate down.
func TestOverCapacityLoss(t *testing.T) {
	s := newSim(t, hearth, &link{capacity: 500_000, queue: 2_000, prop: 20 * time.Millisecond})
	rs := &rateSender{size: 1000}
	var lossBound bool
	trace := s.run(5*time.Second, func(s *sim) {
		rs.burst(s, 1_500_000)
		if s.e.Target() < 600_000 && !lossBound {
			lossBound = s.e.st.loss.rate < s.e.st.rate.rate
		}
	})
	t.Logf("estimate each second (kbit/s): %v; dropped %d; loss-based below delay-based: %v", every(trace, s.tick), s.link.dropped, lossBound)
	if last := trace[len(trace)-1]; last >= 600_000 {
		t.Fatalf("the estimate is %d after 5 s above a 500 kbit/s bottleneck with a tiny queue", last)
	}
}

// The Hearth scenario (sfu/constrained_test.go): a subscriber on the full
// layer is limited to 480 kbit/s with a 15 KB queue, goes down a layer or
// two, and climbs back once the limit goes, the estimate following the
// layer steps.
func TestClimbsBackAfterLimitLifted(t *testing.T) {
	l := &link{capacity: 480_000, queue: 15_000, prop: 20 * time.Millisecond, jitter: time.Millisecond}
	s := newSim(t, hearth, l)
	ly := &layers{sizes: [3]int{400, 730, 1060}, cur: 2}
	limited := s.run(20*time.Second, ly.burst)
	t.Logf("limited: estimate each second (kbit/s): %v", every(limited, s.tick))
	t.Logf("layers: %v", ly.changes)
	if ly.cur == 2 {
		t.Fatalf("still on the full layer after 20 s limited to 480 kbit/s")
	}
	// lift the limit when the estimate is low: after a probe's cut
	for i := 0; s.e.Target() >= 600_000; i++ {
		if i > 4000 {
			t.Fatalf("the estimate stayed above 600 kbit/s for 20 s more while limited")
		}
		s.run(s.tick, ly.burst)
	}
	liftAt := s.now.Sub(simStart)
	t.Logf("limit lifted at %v, estimate %d, layer %d", liftAt, s.e.Target(), ly.cur)
	l.capacity = 0
	var above time.Duration
	lifted := s.run(40*time.Second, func(s *sim) {
		ly.burst(s)
		if above == 0 && s.e.Target() > 1_500_000 {
			above = s.now.Sub(simStart) - liftAt
		}
	})
	t.Logf("lifted: estimate each second (kbit/s): %v", every(lifted, s.tick))
	t.Logf("layers: %v; above 1.5 Mbit/s %v after the limit went", ly.changes, above)
	if above == 0 || above > 20*time.Second {
		t.Fatalf("the estimate did not climb above 1.5 Mbit/s within 20 s of the limit going (%v)", above)
	}
	if ly.cur != 2 {
		t.Fatalf("not back on the full layer 40 s after the limit went")
	}
}
