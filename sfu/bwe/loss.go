package bwe

import "math"

// Loss-based control, draft-ietf-rmcat-gcc-02 section 6, as Pion's gcc
// does it: the loss ratio of each feedback, smoothed over about 200 ms.
const (
	lowLoss      = 0.02 // below this the rate may grow...
	lossIncrease = 1.05 // ...by this
	highLoss     = 0.10 // above this it shrinks by half the loss
	lossStep     = 200_000
	lossTau      = 200.0 // ms
)

// lossControl is the loss-based rate.
type lossControl struct {
	rate       float64 // bits/s
	avg        float64 // smoothed loss ratio
	updated    bool
	updateAt   int64 // µs
	increaseAt int64 // µs
	decreaseAt int64 // µs
}

func newLossControl(rate float64) lossControl {
	return lossControl{rate: rate, increaseAt: math.MinInt64 / 2, decreaseAt: math.MinInt64 / 2}
}

// update takes one feedback's count of packets reported lost out of
// reported, at nowUs.
func (l *lossControl) update(lost, reported int, nowUs int64, lo, hi float64) {
	if reported == 0 {
		return
	}
	ratio := float64(lost) / float64(reported)
	if l.updated {
		decay := math.Exp(-float64(max(nowUs-l.updateAt, 0)) / 1000 / lossTau)
		l.avg = ratio + decay*(l.avg-ratio)
	} else {
		l.avg = ratio
	}
	l.updated, l.updateAt = true, nowUs
	up, down := max(l.avg, ratio), min(l.avg, ratio)
	switch {
	case up < lowLoss && nowUs-l.increaseAt > lossStep:
		l.increaseAt = nowUs
		l.rate = min(max(l.rate*lossIncrease, lo), hi)
	case down > highLoss && nowUs-l.decreaseAt > lossStep:
		l.decreaseAt = nowUs
		l.rate = min(max(l.rate*(1-0.5*down), lo), hi)
	}
}
