package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// fixedEstimate is a bandwidth estimator whose estimate the test sets.
type fixedEstimate struct{ bps int64 }

func (f *fixedEstimate) Sent(uint16, int, time.Time)                {}
func (f *fixedEstimate) Feedback(*rtcp.TransportLayerCC, time.Time) {}
func (f *fixedEstimate) Target() int64                              { return f.bps }

// simulcastDown is a subscription to a publisher sending the three layers
// at sim3's rates.
func simulcastDown(sub *Peer, id string) *downTrack {
	up := &upTrack{id: id, pub: &Peer{id: id}, video: true, simulcast: true}
	now := time.Now().UnixNano()
	for l := range maxLayers {
		up.ssrc[l].Store(uint32(l + 1))
		up.rate[l].Store(sim3[l])
		up.since[l].Store(now)
	}
	dt := &downTrack{up: up, sub: sub}
	sub.downs[up] = dt
	return dt
}

// TestLayersFollowTheEstimate: with room to spare the layer climbs a step
// per allocation; when the estimate falls below what the subscriber gets
// the layer drops to what it pays for; it climbs back only when the
// estimate pays with headroom, or after the hold.
func TestLayersFollowTheEstimate(t *testing.T) {
	est := &fixedEstimate{bps: 10_000_000}
	p := &Peer{downs: map[*upTrack]*downTrack{}, sizes: map[string]int{}, bwe: est}
	a := simulcastDown(p, "a")
	b := simulcastDown(p, "b")
	layers := func() [2]int32 { return [2]int32{a.target.Load(), b.target.Load()} }

	var seen [][2]int32
	for range 4 {
		p.allocateLayers()
		seen = append(seen, layers())
	}
	want := [][2]int32{{1, 0}, {1, 1}, {2, 1}, {2, 2}}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("climb: got %v, want %v (one step per allocation)", seen, want)
		}
	}

	est.bps = 1_200_000 // both full layers cost 3 Mbit/s
	p.allocateLayers()
	if got := layers(); got != [2]int32{1, 1} {
		t.Errorf("estimate fell: layers %v, want [1 1]", got)
	}
	est.bps = 1_300_000 // a step up costs 1 Mbit/s more: no headroom
	p.allocateLayers()
	if got := layers(); got != [2]int32{1, 1} {
		t.Errorf("estimate barely rose during the hold: layers %v, want [1 1]", got)
	}
	est.bps = 2_500_000 // pays for one full layer with a quarter to spare
	p.allocateLayers()
	if got := layers(); got != [2]int32{2, 1} {
		t.Errorf("estimate rose: layers %v, want [2 1]", got)
	}

	// A small size wins over any estimate.
	p.sizes[""] = 100
	est.bps = 50_000_000
	p.allocateLayers()
	if got := layers(); got != [2]int32{0, 0} {
		t.Errorf("small size: layers %v, want [0 0]", got)
	}
}
