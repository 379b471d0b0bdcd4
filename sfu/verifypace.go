package sfu

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// verifyPace keeps how long a verification takes here (a moving average,
// queue included), so that refusals that must not be told apart from a
// verification by their timing take about as long.
type verifyPace struct {
	avg atomic.Int64 // nanoseconds; 0 until the first verification
}

// paceBefore is assumed before any verification ran: about one argon2id
// with Hearth's parameters on a small server.
const paceBefore = 100 * time.Millisecond

// observe adds a verification's duration to the average (weight 1/8).
func (v *verifyPace) observe(d time.Duration) {
	for {
		old := v.avg.Load()
		next := int64(d)
		if old > 0 {
			next = old + (int64(d)-old)/8
		}
		if v.avg.CompareAndSwap(old, next) {
			return
		}
	}
}

// disguise waits about as long as a verification takes (between half and
// one and a half times the average, at random), or until ctx ends. It
// holds no verification slot and costs no CPU.
func (v *verifyPace) disguise(ctx context.Context) {
	avg := time.Duration(v.avg.Load())
	if avg <= 0 {
		avg = paceBefore
	}
	t := time.NewTimer(avg/2 + rand.N(avg))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
