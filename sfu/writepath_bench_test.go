package sfu

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkWritePath is BenchmarkFanout's queued path with everything the
// server does per forwarded copy above SRTP and the socket (which the
// load tool measures with the rest): the transport-wide sequence number
// and the bandwidth estimator told the packet left, the sender report's
// count, the packet kept for NACKs. copies/s counts copies written;
// allocs/copy is the allocations per forwarded copy.
//
//	go test -run XXX -bench WritePath -benchtime 20000x ./sfu/
func BenchmarkWritePath(b *testing.B) {
	for _, n := range []int{8, 32} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) {
			f := newFanout(b, n, testMetrics(b))
			for _, dt := range f.up.subs {
				dt.twccID.Store(3)
				dt.sub.bwe = newEstimator()
			}
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
