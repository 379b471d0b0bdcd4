package sfu

import (
	"time"

	"github.com/hearth-recovery/hearth/sfu/bwe"
	"github.com/pion/rtcp"
)

// Send-side bandwidth estimation towards each subscriber (Google
// congestion control from the subscriber's TWCC feedback). The estimate
// only chooses simulcast layers: the server does not pace, it forwards.
//
// The server numbers what it sends each subscriber itself (the
// transport-wide sequence number, downTrack.send) and tells the
// estimator when each packet left; the subscriber's feedback
// (downTrack.readRTCP) says when they arrived. Pion's interceptors did the
// same at about an eighth of the server's CPU per forwarded packet (a map
// per packet and a 250-packet history in maps and lists): see sfu/bwe.
const (
	bweInitial = 1_500_000  // bits/s assumed before any feedback
	bweMin     = 100_000    // the estimate never drops below this
	bweMax     = 20_000_000 // nor rises above this

	// A browser sends TWCC feedback every 50 to 100 ms; more than this
	// is not looked at (each report costs up to a few thousand packets'
	// bookkeeping, so a client must not choose how many it sends).
	feedbackPerSecond = 100
	feedbackBurst     = 50
)

// estimator is one subscriber PeerConnection's bandwidth estimator. Sent
// is called by the subscriber's writer goroutine only; Feedback by its
// RTCP readers; Target by the actor loop.
type estimator interface {
	Sent(seq uint16, size int, at time.Time)
	Feedback(fb *rtcp.TransportLayerCC, at time.Time)
	Target() int64
}

func newEstimator() estimator {
	return bwe.New(bwe.Config{Initial: bweInitial, Min: bweMin, Max: bweMax})
}

// estimate returns the subscriber's bandwidth estimate in bits/s, or -1
// when there is none. Actor loop only.
func (p *Peer) estimate() int64 {
	if p.bwe == nil {
		return -1
	}
	return p.bwe.Target()
}
