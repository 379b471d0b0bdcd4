package sfu_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// BenchmarkRoom runs the load tool against an in-process server (clients
// and server share the process, so CPU is not split; use
// cmd/hearth-loadtest for server-only CPU). Run with -benchtime=1x.
func BenchmarkRoom(b *testing.B) {
	for _, size := range []struct {
		participants, cameras int
		simulcast             bool
	}{{6, 3, false}, {12, 6, false}, {6, 3, true}, {12, 6, true}} {
		name := fmt.Sprintf("participants=%d/cameras=%d", size.participants, size.cameras)
		if size.simulcast {
			name += "/simulcast"
		}
		b.Run(name, func(b *testing.B) {
			ts := startServer(b, sfu.Config{})
			var rep loadtest.Report
			for b.Loop() {
				var err error
				rep, err = loadtest.Run(context.Background(), loadtest.Config{URL: ts.url, Room: "bench",
					Participants: size.participants, Cameras: size.cameras, Simulcast: size.simulcast,
					Warmup: 2 * time.Second, Duration: 3 * time.Second, Loopback: true})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(rep.ReceivedPerSecond, "pkt/s")
			b.ReportMetric(rep.LossPercent, "%loss")
			b.ReportMetric(float64(rep.LatencyP99.Microseconds()), "p99-µs")
		})
	}
}
