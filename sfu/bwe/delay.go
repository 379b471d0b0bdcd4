package bwe

import "math"

// Delay-based detection, draft-ietf-rmcat-gcc-02 section 5 as libwebrtc
// does it today: packets are grouped into bursts, the variation of the
// delay between consecutive groups goes through a trendline filter, and
// the filter's slope is compared with an adaptive threshold.
const (
	burstTime     = 5_000   // µs: packets sent within this of a group's first are one group
	maxBurst      = 100_000 // µs: a group grown by arrival bursts never spans more than this
	clockJump     = 3_000_000
	trendWindow   = 20  // groups in the linear regression
	trendSmooth   = 0.9 // smoothing of the accumulated delay
	trendGain     = 4.0
	maxDeltaCount = 60   // the slope is scaled by min(deltas seen, this)
	overuseTime   = 10.0 // ms over the threshold before over-use is signalled
	threshInit    = 12.5 // ms
	threshMin     = 6.0
	threshMax     = 600.0
	kUp           = 0.0087
	kDown         = 0.039
	maxAdapt      = 15.0  // ms: trends this far beyond the threshold do not move it
	maxAdaptDelta = 100.0 // ms: the longest step the threshold adapts over
)

// usage is the detector's verdict on the path.
type usage int8

const (
	normal usage = iota
	overusing
	underusing
)

// group is a burst of packets: times in µs (departure on the sender's
// clock, arrival on the receiver's).
type group struct {
	set               bool
	firstDep, lastDep int64
	firstArr, lastArr int64
}

// arrivals groups packets into bursts and yields the deltas between
// consecutive complete groups.
type arrivals struct {
	cur, prev group
}

// add takes one received packet, in sequence order. When it starts a new
// group it returns the send and arrival deltas (µs) between the two groups
// before it, ok false otherwise.
func (a *arrivals) add(dep, arr int64) (sendDelta, arrDelta int64, ok bool) {
	c := &a.cur
	switch {
	case !c.set:
		*c = group{set: true, firstDep: dep, lastDep: dep, firstArr: arr, lastArr: arr}
		return 0, 0, false
	case dep < c.firstDep || arr < c.lastArr:
		return 0, 0, false // reordered on the way: no use for timing
	case dep-c.firstDep <= burstTime || a.burst(dep, arr):
		c.lastDep, c.lastArr = max(c.lastDep, dep), arr
		return 0, 0, false
	}
	if a.prev.set {
		sendDelta, arrDelta = c.lastDep-a.prev.lastDep, c.lastArr-a.prev.lastArr
		ok = arrDelta >= 0
	}
	a.prev = *c
	*c = group{set: true, firstDep: dep, lastDep: dep, firstArr: arr, lastArr: arr}
	if d := arrDelta - sendDelta; d > clockJump || d < -clockJump {
		// the receiver's clock jumped, or the path stalled for seconds:
		// start grouping afresh rather than read it as congestion
		a.prev = group{}
		return 0, 0, false
	}
	return sendDelta, arrDelta, ok
}

// burst reports whether a packet sent after the current group's burst time
// still belongs to it: it arrived right behind the group, sooner than it was
// sent after it (it queued behind the group somewhere on the path).
func (a *arrivals) burst(dep, arr int64) bool {
	c := &a.cur
	arrDelta := arr - c.lastArr
	return arrDelta <= burstTime && arrDelta-(dep-c.lastDep) < 0 && arr-c.firstArr < maxBurst
}

// point is one sample of the trendline's history, in ms.
type point struct{ x, y float64 }

// trendline estimates the slope of the queueing delay over time and
// detects over-use against an adaptive threshold.
type trendline struct {
	deltas    int     // group deltas seen, up to 1000
	haveFirst bool    // firstArr is set
	firstArr  int64   // µs: the x origin
	acc       float64 // accumulated delay variation, ms
	smoothed  float64 // its exponential smoothing, ms
	hist      [trendWindow]point
	histLen   int
	histNext  int
	prevTrend float64

	threshold    float64 // ms
	threshSet    bool    // threshAt is set
	threshAt     int64   // µs, arrival time of the last threshold update
	overuseMs    float64 // time spent over the threshold, ms; < 0: not over it
	overuseCount int
	verdict      usage
}

func newTrendline() trendline { return trendline{threshold: threshInit, overuseMs: -1} }

// update adds one group delta (µs) arriving at arr (µs) and returns the
// detector's verdict.
func (t *trendline) update(sendDelta, arrDelta, arr int64) usage {
	t.deltas = min(t.deltas+1, 1000)
	if !t.haveFirst {
		t.haveFirst, t.firstArr = true, arr
	}
	t.acc += float64(arrDelta-sendDelta) / 1000
	t.smoothed = trendSmooth*t.smoothed + (1-trendSmooth)*t.acc
	t.hist[t.histNext] = point{x: float64(arr-t.firstArr) / 1000, y: t.smoothed}
	t.histNext = (t.histNext + 1) % trendWindow
	t.histLen = min(t.histLen+1, trendWindow)
	trend := t.prevTrend
	if t.histLen == trendWindow {
		if s, ok := slope(t.hist[:]); ok {
			trend = s
		}
	}
	t.detect(trend, float64(sendDelta)/1000, arr)
	return t.verdict
}

// slope is the least-squares slope of y over x.
func slope(ps []point) (float64, bool) {
	var sx, sy float64
	for _, p := range ps {
		sx, sy = sx+p.x, sy+p.y
	}
	mx, my := sx/float64(len(ps)), sy/float64(len(ps))
	var num, den float64
	for _, p := range ps {
		num += (p.x - mx) * (p.y - my)
		den += (p.x - mx) * (p.x - mx)
	}
	if den == 0 {
		return 0, false
	}
	return num / den, true
}

// detect compares the scaled trend with the threshold. Over-use needs the
// trend above it for overuseTime and two groups, and still rising.
func (t *trendline) detect(trend, sendDeltaMs float64, arr int64) {
	if t.deltas < 2 {
		t.verdict = normal
		return
	}
	modified := float64(min(t.deltas, maxDeltaCount)) * trend * trendGain
	switch {
	case modified > t.threshold:
		if t.overuseMs < 0 {
			t.overuseMs = sendDeltaMs / 2
		} else {
			t.overuseMs += sendDeltaMs
		}
		t.overuseCount++
		if t.overuseMs > overuseTime && t.overuseCount > 1 && trend >= t.prevTrend {
			t.overuseMs, t.overuseCount = 0, 0
			t.verdict = overusing
		}
	case modified < -t.threshold:
		t.overuseMs, t.overuseCount = -1, 0
		t.verdict = underusing
	default:
		t.overuseMs, t.overuseCount = -1, 0
		t.verdict = normal
	}
	t.prevTrend = trend
	t.adapt(modified, arr)
}

// adapt moves the threshold towards the magnitude of the trend: up slowly
// (k_up) when it is exceeded, down faster (k_down) when it is not, so that
// it tolerates a competing flow's queue without drifting too far from
// what this flow causes.
func (t *trendline) adapt(modified float64, arr int64) {
	if !t.threshSet {
		t.threshSet, t.threshAt = true, arr
	}
	abs := math.Abs(modified)
	if abs > t.threshold+maxAdapt {
		t.threshAt = arr // a spike: do not chase it
		return
	}
	k := kUp
	if abs < t.threshold {
		k = kDown
	}
	dt := min(max(float64(arr-t.threshAt)/1000, 0), maxAdaptDelta)
	t.threshold = min(max(t.threshold+k*(abs-t.threshold)*dt, threshMin), threshMax)
	t.threshAt = arr
}
