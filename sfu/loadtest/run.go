package loadtest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Config describes one load run.
type Config struct {
	URL          string // signaling WebSocket URL (ws://host/rtc)
	Room         string
	Participants int // every participant publishes audio
	Cameras      int // the first Cameras participants also publish video
	// Simulcast: cameras send three RID layers; subscribers get the full
	// one unless their bandwidth estimate says otherwise.
	Simulcast bool
	Warmup    time.Duration
	Duration  time.Duration
	Loopback  bool
	// Usage samples the server's resources; nil when unknown.
	Usage func() (cpuSeconds float64, rssBytes int64, err error)
}

// Report is what one run measured over Duration, after Warmup.
type Report struct {
	Participants, Cameras int
	Duration              time.Duration
	ReceivedPerSecond     float64 // packets delivered to all subscribers
	LossPercent           float64
	JitterMean            time.Duration
	LatencyP50            time.Duration
	LatencyP95            time.Duration
	LatencyP99            time.Duration
	ServerCores           float64 // server CPU time / wall time; -1 unknown
	ServerRSSBytes        int64
}

func (r Report) String() string {
	return fmt.Sprintf("participants=%d cameras=%d received=%.0f pkt/s loss=%.2f%% jitter=%v latency p50=%v p95=%v p99=%v server cpu=%.2f cores rss=%.1f MiB",
		r.Participants, r.Cameras, r.ReceivedPerSecond, r.LossPercent, r.JitterMean.Round(time.Microsecond),
		r.LatencyP50.Round(time.Microsecond), r.LatencyP95.Round(time.Microsecond), r.LatencyP99.Round(time.Microsecond),
		r.ServerCores, float64(r.ServerRSSBytes)/(1<<20))
}

// Run joins the participants, lets the media settle, and measures.
func Run(ctx context.Context, cfg Config) (Report, error) {
	clients, err := dialAll(ctx, cfg)
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	if err != nil {
		return Report{}, err
	}
	if err := sleep(ctx, cfg.Warmup); err != nil {
		return Report{}, err
	}
	before := snapshot(clients)
	cpu0, _, uerr := usage(cfg)
	start := time.Now()
	if err := sleep(ctx, cfg.Duration); err != nil {
		return Report{}, err
	}
	wall := time.Since(start)
	after := snapshot(clients)
	cpu1, rss, uerr2 := usage(cfg)
	rep := summarize(before, after, wall)
	rep.Participants, rep.Cameras, rep.Duration = cfg.Participants, cfg.Cameras, wall
	rep.ServerCores, rep.ServerRSSBytes = -1, rss
	if uerr == nil && uerr2 == nil && cfg.Usage != nil {
		rep.ServerCores = (cpu1 - cpu0) / wall.Seconds()
	}
	return rep, nil
}

func usage(cfg Config) (float64, int64, error) {
	if cfg.Usage == nil {
		return 0, 0, nil
	}
	return cfg.Usage()
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// dialAll joins the participants a few at a time.
func dialAll(ctx context.Context, cfg Config) ([]*Client, error) {
	clients := make([]*Client, cfg.Participants)
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range cfg.Participants {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			c, err := Dial(dctx, cfg.URL, Options{Room: cfg.Room, Name: fmt.Sprintf("load %d", i),
				Audio: true, Video: i < cfg.Cameras, Simulcast: cfg.Simulcast, Loopback: cfg.Loopback})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("loadtest: participant %d: %w", i, err)
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	out := slices.DeleteFunc(clients, func(c *Client) bool { return c == nil })
	return out, firstErr
}

type streamKey struct {
	client int
	pub    string
	video  bool
}

func snapshot(clients []*Client) map[streamKey]Stream {
	out := map[streamKey]Stream{}
	for i, c := range clients {
		for _, s := range c.Recv.Streams() {
			out[streamKey{i, s.Publisher, s.Video}] = s
		}
	}
	return out
}

func summarize(before, after map[streamKey]Stream, wall time.Duration) Report {
	var rep Report
	var got, lost int64
	var jitter time.Duration
	var lat []time.Duration
	for k, a := range after {
		b := before[k]
		got += a.Packets - b.Packets
		lost += a.Lost - b.Lost
		jitter += a.Jitter
		if len(b.Latencies) <= len(a.Latencies) {
			lat = append(lat, a.Latencies[len(b.Latencies):]...)
		}
	}
	rep.ReceivedPerSecond = float64(got) / wall.Seconds()
	if got+lost > 0 {
		rep.LossPercent = 100 * float64(lost) / float64(got+lost)
	}
	if len(after) > 0 {
		rep.JitterMean = jitter / time.Duration(len(after))
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(p*float64(len(lat)-1))]
	}
	rep.LatencyP50, rep.LatencyP95, rep.LatencyP99 = pct(0.50), pct(0.95), pct(0.99)
	return rep
}
