package sfu

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var sim3 = [maxLayers]int64{150_000, 500_000, 1_500_000}

func TestChooseLayers(t *testing.T) {
	cases := []struct {
		name   string
		budget int64
		wants  []layerWant
		want   []int
	}{
		{"no estimate: the size decides", noBudget,
			[]layerWant{{max: 2, rates: sim3}, {max: 0, rates: sim3}, {max: 1, rates: sim3}}, []int{2, 0, 1}},
		{"small size gets the low layer whatever the budget", 50_000_000,
			[]layerWant{{max: layerForHeight(120), rates: sim3}}, []int{0}},
		{"budget too small for anything keeps the lowest", 10_000,
			[]layerWant{{max: 2, rates: sim3}, {max: 2, rates: sim3}}, []int{0, 0}},
		{"budget shared one step at a time", 1_300_000,
			[]layerWant{{max: 2, rates: sim3}, {max: 2, rates: sim3}}, []int{1, 1}},
		{"drop when the estimate falls", 1_000_000,
			[]layerWant{{max: 2, cur: 2, rates: sim3}}, []int{1}},
		{"stay at the current layer with no spare", 1_500_000,
			[]layerWant{{max: 2, cur: 2, rates: sim3}}, []int{2}},
		{"no going up without headroom", 1_500_000,
			[]layerWant{{max: 2, cur: 1, rates: sim3}}, []int{1}},
		{"going up with headroom", 1_800_000,
			[]layerWant{{max: 2, cur: 1, rates: sim3}}, []int{2}},
		{"a missing layer is skipped", noBudget,
			[]layerWant{{max: 1, rates: [maxLayers]int64{150_000, 0, 1_500_000}}}, []int{0}},
		{"only a high layer published", 10_000,
			[]layerWant{{max: 0, rates: [maxLayers]int64{0, 0, 1_500_000}}}, []int{2}},
		{"nothing published keeps the current", noBudget,
			[]layerWant{{max: 2, cur: 1}}, []int{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := chooseLayers(c.budget, c.wants); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestLayerForHeight(t *testing.T) {
	for h, want := range map[int]int{0: 2, 90: 0, 180: 0, 181: 1, 360: 1, 720: 2, 4320: 2} {
		if got := layerForHeight(h); got != want {
			t.Errorf("height %d: layer %d, want %d", h, got, want)
		}
	}
}

func TestAddSimulcastRecv(t *testing.T) {
	in := strings.Join([]string{
		"v=0", "s=-",
		"m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0", "a=recvonly",
		"m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:1", "a=recvonly",
		"m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:2", "a=sendonly",
		"m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:3", "a=recvonly", "a=simulcast:recv x",
	}, "\r\n") + "\r\n"
	got := addSimulcastRecv(in)
	want := strings.Join([]string{
		"v=0", "s=-",
		"m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0", "a=recvonly",
		"m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:1", "a=recvonly",
		"a=rid:q recv", "a=rid:h recv", "a=rid:f recv", "a=simulcast:recv q;h;f",
		"m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:2", "a=sendonly",
		"m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:3", "a=recvonly", "a=simulcast:recv x",
	}, "\r\n") + "\r\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if again := addSimulcastRecv(got); again != got {
		t.Errorf("not idempotent:\n%s", again)
	}
}

func TestLayerOf(t *testing.T) {
	for rid, want := range map[string]int{"": 0, "q": 0, "h": 1, "f": 2} {
		if got, ok := layerOf(rid); !ok || got != want {
			t.Errorf("rid %q: %d %v", rid, got, ok)
		}
	}
	if _, ok := layerOf("zz"); ok {
		t.Error("unknown rid accepted")
	}
}

func TestLayerHold(t *testing.T) {
	var h layerHold
	t0 := time.Unix(1000, 0)
	if b := h.budget(noBudget, 500_000, t0); b != noBudget {
		t.Errorf("no estimate: budget %d", b)
	}
	if b := h.budget(900_000, 500_000, t0); b != noBudget {
		t.Errorf("estimate above the spend: budget %d, want unlimited (probe up)", b)
	}
	if b := h.budget(400_000, 500_000, t0); b != 400_000 {
		t.Errorf("estimate below the spend: budget %d, want the estimate", b)
	}
	h.cut(t0)
	if b := h.budget(900_000, 500_000, t0.Add(minHold-time.Millisecond)); b != 900_000 {
		t.Errorf("during the hold: budget %d, want the estimate", b)
	}
	if b := h.budget(900_000, 500_000, t0.Add(minHold)); b != noBudget {
		t.Errorf("after the hold: budget %d, want unlimited", b)
	}
	h.cut(t0.Add(minHold))
	if h.hold != 2*minHold {
		t.Errorf("second cut in a row: hold %v, want %v", h.hold, 2*minHold)
	}
	for range 10 {
		h.cut(t0.Add(minHold))
	}
	if h.hold != maxHold {
		t.Errorf("hold %v, want at most %v", h.hold, maxHold)
	}
	h.cut(t0.Add(10 * maxHold))
	if h.hold != minHold {
		t.Errorf("a cut long after the last: hold %v, want %v", h.hold, minHold)
	}
}

func TestOneStepUp(t *testing.T) {
	wants := []layerWant{
		{max: 2, cur: 0, rates: sim3},
		{max: 2, cur: 0, rates: sim3},
		{max: 0, cur: 2, rates: sim3},
		{max: 2, cur: 0, rates: [maxLayers]int64{150_000, 0, 1_500_000}},
	}
	choice := []int{2, 2, 0, 2}
	oneStepUp(choice, wants)
	if want := []int{1, 0, 0, 0}; !slices.Equal(choice, want) {
		t.Errorf("got %v, want %v", choice, want)
	}
	choice = []int{0, 0, 0, 2}
	oneStepUp(choice, wants)
	if want := []int{0, 0, 0, 2}; !slices.Equal(choice, want) {
		t.Errorf("a missing layer is stepped over: got %v, want %v", choice, want)
	}
}
