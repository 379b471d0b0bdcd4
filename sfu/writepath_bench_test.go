package sfu

import (
	"fmt"
	"log/slog"
	"runtime"
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// chainContext binds a subscriber's track through the interceptor chain
// the server gives every subscriber PeerConnection (newAPI: NACK
// responder and guard, RTCP reports, TWCC sequence numbers, send-side
// bandwidth estimation), ending at a discardWriter where SRTP would be.
type chainContext struct {
	boundContext
	chain interceptor.RTPWriter
}

func (c chainContext) WriteStream() webrtc.TrackLocalWriter { return c }

// WriteRTP is what Pion's own track writer does: a fresh attributes map
// per packet.
func (c chainContext) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	return c.chain.Write(h, payload, interceptor.Attributes{})
}

func (c chainContext) Write(b []byte) (int, error) { return len(b), nil }

func newChainContext(tb testing.TB, w *discardWriter) webrtc.TrackLocalContext {
	tb.Helper()
	m, err := newMediaEngine()
	if err != nil {
		tb.Fatal(err)
	}
	logs := newPionLogs(slog.New(slog.DiscardHandler))
	reg := &interceptor.Registry{}
	var est bandwidthEstimator
	if err := addInterceptors(m, reg, logs); err != nil {
		tb.Fatal(err)
	}
	if err := addBWE(m, reg, logs, &est); err != nil {
		tb.Fatal(err)
	}
	ic, err := reg.Build("bench")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ic.Close() })
	info := &interceptor.StreamInfo{
		ID: "bench", SSRC: 1234, PayloadType: 96, MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback:        []interceptor.RTCPFeedback{{Type: "nack"}, {Type: "transport-cc"}},
		RTPHeaderExtensions: []interceptor.RTPHeaderExtension{{URI: sdp.TransportCCURI, ID: 3}},
	}
	chain := ic.BindLocalStream(info, interceptor.RTPWriterFunc(
		func(h *rtp.Header, p []byte, _ interceptor.Attributes) (int, error) { return w.WriteRTP(h, p) }))
	return chainContext{boundContext: boundContext{w}, chain: chain}
}

// BenchmarkWritePath is BenchmarkFanout's queued path with each copy
// going through the server's real per-subscriber Pion interceptor chain
// (what a forwarded copy costs above SRTP and the socket, which the load
// tool measures with the rest). copies/s counts copies written;
// allocs/copy is the allocations per forwarded copy.
//
//	go test -run XXX -bench WritePath -benchtime 20000x ./sfu/
func BenchmarkWritePath(b *testing.B) {
	for _, n := range []int{8, 32} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			f := newFanoutBound(b, n, testMetrics(b), func(w *discardWriter) webrtc.TrackLocalContext {
				return newChainContext(b, w)
			})
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			benchQueuedOn(b, n, f)
			runtime.ReadMemStats(&m1)
			if sent := f.sent.Load(); sent > 0 {
				b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(sent), "allocs/copy")
			}
		})
	}
}
