package loadtest

import (
	"context"
	"fmt"
	"net"
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
	// The shape of a large speaker meeting (see LargeRoom): Speakers
	// participants speak at once (audio level loud, the others silent),
	// one giving way to the next every SpeakerTurn; every subscriber shows
	// all videos TileHeight pixels tall and the newest speaker's
	// SpeakerHeight (video-size). Speakers 0: every participant sends
	// audio at full rate without a level, and no video-size is sent.
	Speakers      int
	SpeakerTurn   time.Duration
	TileHeight    int
	SpeakerHeight int
	LayerPackets  []int // Options.LayerPackets
	DTX           bool  // Options.DTX
	Warmup        time.Duration
	Duration      time.Duration
	Loopback      bool
	LocalIP       net.IP // Options.LocalIP
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
	// ServerIdleRSSBytes is the server's resident memory before anyone
	// joined (0: unknown); Streams the received streams that carried
	// packets during the measurement (one per subscriber and publisher
	// track forwarded to it).
	ServerIdleRSSBytes int64
	Streams            int
}

// LargeRoom sets the shape of the largest room issue 18 asks for: 10
// cameras with simulcast, everyone's audio with 3 speaking at a time
// (turns of 4 s, the speakers among the cameras, so the active speaker's
// video is the large one), silent microphones sending DTX, every
// subscriber showing small tiles (120 px, the lowest layer) and the
// active speaker large (720 px, the full layer). Layers send 1, 2 and 3
// packets a frame (about 80, 320 and 720 kbit/s).
func (c *Config) LargeRoom() {
	c.Cameras = min(10, c.Participants)
	c.Simulcast = true
	c.Speakers = 3
	c.SpeakerTurn = 4 * time.Second
	c.TileHeight, c.SpeakerHeight = 120, 720
	c.LayerPackets = []int{1, 2, 3}
	c.DTX = true
}

// MemoryText tells the server's memory per participant and per forwarded
// stream: what it grew by from idle, divided.
func (r Report) MemoryText() string {
	if r.ServerIdleRSSBytes <= 0 || r.ServerRSSBytes <= 0 || r.Participants == 0 || r.Streams == 0 {
		return ""
	}
	grown := float64(r.ServerRSSBytes - r.ServerIdleRSSBytes)
	return fmt.Sprintf("server memory: %.1f MiB idle, %.1f MiB loaded: %.0f KiB per participant, %.1f KiB per forwarded stream (%d streams)",
		float64(r.ServerIdleRSSBytes)/(1<<20), float64(r.ServerRSSBytes)/(1<<20),
		grown/1024/float64(r.Participants), grown/1024/float64(r.Streams), r.Streams)
}

func (r Report) String() string {
	perPacket := ""
	if r.ServerCores > 0 && r.ReceivedPerSecond > 0 {
		// What the server spent per delivered copy: comparable between
		// runs on a busy machine even when the clients could not keep up.
		perPacket = fmt.Sprintf(" (%.1f µs per delivered packet)", 1e6*r.ServerCores/r.ReceivedPerSecond)
	}
	return fmt.Sprintf("participants=%d cameras=%d received=%.0f pkt/s loss=%.2f%% jitter=%v latency p50=%v p95=%v p99=%v server cpu=%.2f cores%s rss=%.1f MiB",
		r.Participants, r.Cameras, r.ReceivedPerSecond, r.LossPercent, r.JitterMean.Round(time.Microsecond),
		r.LatencyP50.Round(time.Microsecond), r.LatencyP95.Round(time.Microsecond), r.LatencyP99.Round(time.Microsecond),
		r.ServerCores, perPacket, float64(r.ServerRSSBytes)/(1<<20))
}

// Run joins the participants, lets the media settle, and measures.
func Run(ctx context.Context, cfg Config) (Report, error) {
	_, idle, _ := usage(cfg)
	clients, err := dialAll(ctx, cfg)
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	if err != nil {
		return Report{}, err
	}
	tctx, stopTurns := context.WithCancel(ctx)
	defer stopTurns()
	go speakerTurns(tctx, clients, cfg)
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
	rep.ServerCores, rep.ServerRSSBytes, rep.ServerIdleRSSBytes = -1, rss, idle
	for k, a := range after {
		if a.Packets > before[k].Packets {
			rep.Streams++
		}
	}
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
				Audio: true, Video: i < cfg.Cameras, Simulcast: cfg.Simulcast, Loopback: cfg.Loopback,
				LocalIP: cfg.LocalIP, LayerPackets: cfg.LayerPackets, DTX: cfg.DTX})
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

// speakerTurns plays the meeting's speakers (Config.Speakers): the
// speakers are taken in turn from the participants with a camera (all
// participants when there are fewer cameras than speakers); each turn the
// longest-speaking one falls silent and the next starts, and every
// subscriber shows the newest speaker's video large.
func speakerTurns(ctx context.Context, clients []*Client, cfg Config) {
	if cfg.Speakers <= 0 || len(clients) == 0 {
		return
	}
	for _, c := range clients {
		if c.Audio != nil {
			c.Audio.SetLevel(127)
		}
		if cfg.TileHeight > 0 {
			_ = c.Send(map[string]any{"type": "video-size", "height": cfg.TileHeight})
		}
	}
	pool := clients[:min(max(cfg.Cameras, cfg.Speakers), len(clients))]
	speakers := min(cfg.Speakers, len(pool))
	var active *Client
	t := time.NewTicker(max(cfg.SpeakerTurn, 100*time.Millisecond))
	defer t.Stop()
	for turn := 0; ; turn++ {
		if turn > 0 {
			quiet := pool[(turn-1)%len(pool)]
			if quiet.Audio != nil && speakers < len(pool) {
				quiet.Audio.SetLevel(127)
			}
		}
		for i := range speakers {
			if c := pool[(turn+i)%len(pool)]; c.Audio != nil {
				c.Audio.SetLevel(20)
			}
		}
		newest := pool[(turn+speakers-1)%len(pool)]
		if cfg.SpeakerHeight > 0 && newest != active {
			for _, c := range clients {
				if c != newest {
					_ = c.Send(map[string]any{"type": "video-size", "id": newest.ID, "height": cfg.SpeakerHeight})
				}
				if active != nil && c != active {
					_ = c.Send(map[string]any{"type": "video-size", "id": active.ID, "height": 0})
				}
			}
			active = newest
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
