package sfu

import (
	"fmt"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/webrtc/v4"
)

// Send-side bandwidth estimation towards each subscriber (Google
// congestion control from the subscriber's TWCC feedback). The estimate
// only chooses simulcast layers: the server does not pace, it forwards.
const (
	bweInitial = 1_500_000  // bits/s assumed before any feedback
	bweMin     = 100_000    // the estimate never drops below this
	bweMax     = 20_000_000 // nor rises above this
)

// bandwidthEstimator is one subscriber PeerConnection's estimator.
type bandwidthEstimator = cc.BandwidthEstimator

// addBWE registers the congestion controller and the TWCC sequence
// number extension on outgoing packets (the subscriber's own negotiated
// id), and stores the estimator in est when the PeerConnection is built.
func addBWE(m *webrtc.MediaEngine, reg *interceptor.Registry, logs pionLogs, est *bandwidthEstimator) error {
	ccf, err := cc.NewInterceptor(func() (cc.BandwidthEstimator, error) {
		return gcc.NewSendSideBWE(
			gcc.SendSideBWEInitialBitrate(bweInitial),
			gcc.SendSideBWEMinBitrate(bweMin),
			gcc.SendSideBWEMaxBitrate(bweMax),
			gcc.SendSideBWEPacer(gcc.NewNoOpPacer()),
			gcc.WithLoggerFactory(logs),
		)
	})
	if err != nil {
		return fmt.Errorf("sfu: congestion control: %w", err)
	}
	ccf.OnNewPeerConnection(func(_ string, e cc.BandwidthEstimator) { *est = e })
	reg.Add(ccf)
	if err := webrtc.ConfigureTWCCHeaderExtensionSender(m, reg); err != nil {
		return fmt.Errorf("sfu: twcc sender: %w", err)
	}
	return nil
}

// estimate returns the subscriber's bandwidth estimate in bits/s, or -1
// when there is none. Actor loop only.
func (p *Peer) estimate() int64 {
	if p.bwe == nil {
		return -1
	}
	return int64(p.bwe.GetTargetBitrate())
}
