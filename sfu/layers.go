package sfu

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// MsgVideoSize tells the server how tall the client shows a participant's
// video (or every video, with no id): it receives the simulcast layer that
// fits, as far as its bandwidth estimate allows.
const MsgVideoSize = "video-size"

const (
	maxVideoHeight = 4320             // larger heights are refused
	maxSizes       = 512              // per-participant entries a client may set: one per member of the largest room (500)
	allocEvery     = time.Second      // how often each subscriber's layers are chosen again
	upHeadroom     = 4                // going up needs a quarter of the step spare (hysteresis)
	lowHeight      = 180              // up to this height the quarter layer is enough
	midHeight      = 360              // up to this height the half layer is enough
	otherStreams   = int64(100_000)   // bits/s kept for audio and non-simulcast video each
	minHold        = 5 * time.Second  // no going up this long after the estimate forced a cut...
	maxHold        = 80 * time.Second // ...doubling on each cut in a row, up to this
	noBudget       = int64(-1)        // no estimate: the size alone decides
	unknownLayer   = maxLayers - 1    // a size never given: full resolution
)

type videoSizeMsg struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Height int    `json:"height"`
}

func handleVideoSize(_ context.Context, p *Peer, raw json.RawMessage) error {
	var m videoSizeMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	if m.Height < 0 || m.Height > maxVideoHeight || len(m.ID) > 64 {
		return &Error{Code: CodeBadMessage, Message: "bad video size"}
	}
	return p.inActor(func() error {
		if _, ok := p.sizes[m.ID]; !ok && len(p.sizes) >= maxSizes {
			return &Error{Code: CodeBadMessage, Message: "too many video sizes"}
		}
		if m.Height == 0 {
			delete(p.sizes, m.ID)
		} else {
			p.sizes[m.ID] = m.Height
		}
		p.allocateLayers()
		return nil
	})
}

// layerForHeight is the lowest layer that fills a video shown this tall.
func layerForHeight(h int) int {
	switch {
	case h <= 0:
		return unknownLayer
	case h <= lowHeight:
		return 0
	case h <= midHeight:
		return 1
	}
	return 2
}

// layerWant describes one simulcast stream a subscriber receives.
type layerWant struct {
	max   int              // highest layer the shown size needs
	cur   int              // layer chosen last time
	rates [maxLayers]int64 // bits/s of each layer; 0: not published
}

// chooseLayers picks a layer per stream: the highest the size needs that
// the budget (bits/s; negative: unlimited) pays for, filling every stream
// one step at a time in the order given so that none starves. A stream
// never goes below its lowest published layer. Going above the current
// layer needs spare budget (hysteresis), staying does not.
func chooseLayers(budget int64, wants []layerWant) []int {
	choice := make([]int, len(wants))
	var spent int64
	for i, w := range wants {
		choice[i] = w.cur
		if lo := nextLayer(w, -1, maxLayers-1); lo >= 0 {
			choice[i] = lo
			spent += w.rates[lo]
		}
	}
	for upgraded := true; upgraded; {
		upgraded = false
		for i, w := range wants {
			n := nextLayer(w, choice[i], max(w.max, 0))
			if n < 0 {
				continue
			}
			extra := w.rates[n] - w.rates[choice[i]]
			need := extra
			if n > w.cur {
				need += extra / upHeadroom
			}
			if budget >= 0 && spent+need > budget {
				continue
			}
			choice[i], spent, upgraded = n, spent+extra, true
		}
	}
	return choice
}

// nextLayer is the first published layer above from and at most ceiling,
// or -1.
func nextLayer(w layerWant, from, ceiling int) int {
	for l := from + 1; l <= ceiling && l < maxLayers; l++ {
		if w.rates[l] > 0 {
			return l
		}
	}
	return -1
}

// layerHold is the upward-probing state of one subscriber. The estimate
// grows only about 8% a second past what the link is seen to carry
// (sfu/bwe), and the server does not probe, so a subscriber held on a low
// layer would earn a higher one from the estimate alone only slowly.
// Instead, while the estimate covers what the
// subscriber gets, one stream goes one layer up towards what its size asks
// per allocation (that layer is the probe);
// when the estimate falls below it, layers are cut to fit and upgrades
// wait for a hold that doubles with each cut in a row.
type layerHold struct {
	cutAt time.Time
	hold  time.Duration
}

// budget is what chooseLayers may spend: unlimited while the estimate
// keeps up with spent and no hold is running.
func (h *layerHold) budget(estimate, spent int64, now time.Time) int64 {
	if estimate < 0 || (estimate >= spent && now.Sub(h.cutAt) >= h.hold) {
		return noBudget
	}
	return estimate
}

// cut records that the estimate lowered a layer.
func (h *layerHold) cut(now time.Time) {
	if now.Sub(h.cutAt) > 2*maxHold {
		h.hold = 0 // the last cut is long past: start over
	}
	h.hold = min(max(2*h.hold, minHold), maxHold)
	h.cutAt = now
}

// allocateLayers chooses the simulcast layer of every video this
// subscriber receives from the sizes it shows them at and its bandwidth
// estimate. Actor loop only.
func (p *Peer) allocateLayers() {
	now := time.Now()
	dts, wants, spent := p.layerWants(now)
	if len(dts) == 0 {
		return
	}
	est := p.estimate()
	if est >= 0 {
		est = max(est-otherStreams*int64(len(p.downs)-len(dts)), 0)
	}
	budget := p.hold.budget(est, spent, now)
	choice := chooseLayers(budget, wants)
	if budget == noBudget && est >= 0 {
		oneStepUp(choice, wants) // probing: see layerHold
	}
	for i, l := range choice {
		if l < wants[i].cur && l < wants[i].max {
			p.hold.cut(now) // the estimate, not the size, lowered it
			break
		}
	}
	for i, l := range choice {
		dts[i].target.Store(int32(l))
	}
}

// oneStepUp limits a probe to one stream going up one published layer,
// the one on the lowest layer (so all climb evenly); the estimate must
// then keep up before the next step, a second later. Lower choices stand.
func oneStepUp(choice []int, wants []layerWant) {
	pick, next := -1, -1
	for i, w := range wants {
		if choice[i] <= w.cur {
			continue
		}
		if n := nextLayer(w, w.cur, choice[i]); n >= 0 && (pick < 0 || w.cur < wants[pick].cur) {
			pick, next = i, n
		}
	}
	for i, w := range wants {
		if choice[i] > w.cur {
			choice[i] = w.cur
		}
	}
	if pick >= 0 {
		choice[pick] = next
	}
}

// layerWants describes the simulcast videos p receives (not paused), in a
// stable order, and what their current layers cost.
func (p *Peer) layerWants(now time.Time) ([]*downTrack, []layerWant, int64) {
	var dts []*downTrack
	for _, dt := range p.downs {
		if dt.up.simulcast && !dt.paused.Load() {
			dts = append(dts, dt)
		}
	}
	slices.SortFunc(dts, func(a, b *downTrack) int { return strings.Compare(a.up.id, b.up.id) })
	wants := make([]layerWant, len(dts))
	var spent int64
	for i, dt := range dts {
		h, ok := p.sizes[dt.up.pub.id]
		if !ok {
			h = p.sizes[""]
		}
		wants[i] = layerWant{max: layerForHeight(h), cur: int(dt.target.Load())}
		for l := range maxLayers {
			wants[i].rates[l], _ = dt.up.layerRate(l, now)
		}
		spent += wants[i].rates[wants[i].cur]
	}
	return dts, wants, spent
}
