package sfu

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	dto "github.com/prometheus/client_model/go"
)

// discardWriter stands for a subscriber's SRTP stream: it marshals each
// packet, as the stream would before encrypting it, and counts it.
type discardWriter struct {
	n   atomic.Int64
	buf [1500]byte
	mu  sync.Mutex
}

func (w *discardWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.mu.Lock()
	n, err := h.MarshalTo(w.buf[:])
	if err == nil {
		n += copy(w.buf[n:], payload)
	}
	w.mu.Unlock()
	w.n.Add(1)
	return n, err
}

func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// boundContext binds a TrackLocalStaticRTP to a discardWriter.
type boundContext struct{ w *discardWriter }

func (boundContext) CodecParameters() []webrtc.RTPCodecParameters {
	return []webrtc.RTPCodecParameters{{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, PayloadType: 96}}
}
func (boundContext) HeaderExtensions() []webrtc.RTPHeaderExtensionParameter { return nil }
func (boundContext) SSRC() webrtc.SSRC                                      { return 1234 }
func (boundContext) SSRCRetransmission() webrtc.SSRC                        { return 0 }
func (boundContext) SSRCForwardErrorCorrection() webrtc.SSRC                { return 0 }
func (c boundContext) WriteStream() webrtc.TrackLocalWriter                 { return c.w }
func (boundContext) ID() string                                             { return "bench" }
func (boundContext) RTCPReader() interceptor.RTCPReader                     { return nil }

// fanout is a video upTrack with subscribers whose writers send to
// discardWriters, without Pion's connection underneath.
type fanout struct {
	up     *upTrack
	subs   []*discardWriter
	queues []*mediaQueue
	sent   atomic.Uint64
	raw    []byte // a marshalled 1000-byte VP8 packet
	seq    uint16
}

func newFanout(tb testing.TB, n int, met *metrics) *fanout {
	tb.Helper()
	return newFanoutBound(tb, n, met, func(w *discardWriter) webrtc.TrackLocalContext { return boundContext{w} })
}

// newFanoutBound is newFanout with each subscriber's track bound through
// bind (a context whose write stream ends at the discardWriter).
func newFanoutBound(tb testing.TB, n int, met *metrics, bind func(*discardWriter) webrtc.TrackLocalContext) *fanout {
	tb.Helper()
	f := &fanout{}
	f.up = &upTrack{id: "up", video: true, codec: webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}},
		keyframe: isVP8Keyframe, changes: make(chan subChange, opQueueLen), done: make(chan struct{})}
	f.up.deps = trackDeps{gate: newMediaGate(), sent: &f.sent, pli: func(uint32) {},
		log: slog.New(slog.DiscardHandler)}
	f.up.deps.gate.publishing(true, true)
	f.up.bufs.New = func() any { return new(inPacket) } // video: not recycled (uptrack.go)
	for range n {
		local, err := newFwdTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "s")
		if err != nil {
			tb.Fatal(err)
		}
		w := &discardWriter{}
		if _, err := local.Bind(bind(w)); err != nil {
			tb.Fatal(err)
		}
		sub := &Peer{out: newMediaQueue(met)}
		dt := newDownTrack(f.up, sub, local, nil)
		dt.ready.Store(true)
		f.up.subs = append(f.up.subs, dt)
		f.subs = append(f.subs, w)
		f.queues = append(f.queues, sub.out)
	}
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 99}, Payload: make([]byte, 1000)}
	pkt.Payload[0], pkt.Payload[1], pkt.Payload[2] = 0x10, 0, 0 // VP8 keyframe start
	var err error
	if f.raw, err = pkt.Marshal(); err != nil {
		tb.Fatal(err)
	}
	return f
}

// start runs every subscriber's writer until ctx ends.
func (f *fanout) start(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, q := range f.queues {
		wg.Go(func() { q.run(ctx) })
	}
	return &wg
}

// receive is one packet through the publisher's reader path.
func (f *fanout) receive(now time.Time) {
	in := f.up.bufs.Get().(*inPacket)
	in.refs.Store(1)
	n := copy(in.buf[:], f.raw)
	f.seq++
	in.buf[2], in.buf[3] = byte(f.seq>>8), byte(f.seq)
	if err := in.pkt.Unmarshal(in.buf[:n]); err != nil {
		panic(err)
	}
	f.up.mu.Lock()
	f.up.forward(0, in, now)
	f.up.mu.Unlock()
	in.release()
}

func (f *fanout) dropped() (n uint64) {
	for _, q := range f.queues {
		n += q.dropped.Load()
	}
	return n
}

func testMetrics(t testing.TB) *metrics {
	m, err := newMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMediaQueueDropsWhenFull: a subscriber whose writer does not keep
// up loses packets, counted, and nobody waits for it.
func TestMediaQueueDropsWhenFull(t *testing.T) {
	met := testMetrics(t)
	f := newFanout(t, 1, met)
	now := time.Now()
	for range mediaQueueLen + 10 { // no writer runs: the queue fills
		f.receive(now)
	}
	if d := f.dropped(); d != 10 {
		t.Fatalf("dropped %d packets, want 10", d)
	}
	var m dto.Metric
	if err := met.dropped.WithLabelValues("queue").Write(&m); err != nil {
		t.Fatal(err)
	}
	if c := m.GetCounter().GetValue(); c != 10 {
		t.Fatalf("hearth_sfu_dropped_packets_total{reason=queue} = %v, want 10", c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wg := f.start(ctx)
	for f.sent.Load() < mediaQueueLen {
		runtime.Gosched()
	}
	cancel()
	wg.Wait()
	if n := f.subs[0].n.Load(); n != mediaQueueLen {
		t.Fatalf("the writer sent %d packets, want the %d queued", n, mediaQueueLen)
	}
}

// TestMediaQueueChecksGateAtWrite: a packet queued while the gate was
// open is not written once it has closed, so AwaitGate's promise holds
// with queues in between.
func TestMediaQueueChecksGateAtWrite(t *testing.T) {
	f := newFanout(t, 2, testMetrics(t))
	f.receive(time.Now())
	f.receive(time.Now())
	f.up.deps.gate.set(true, false)
	f.up.deps.gate.await()
	ctx, cancel := context.WithCancel(context.Background())
	wg := f.start(ctx)
	for _, q := range f.queues {
		for len(q.ch) > 0 {
			runtime.Gosched()
		}
	}
	cancel()
	wg.Wait()
	for i, w := range f.subs {
		if n := w.n.Load(); n != 0 {
			t.Errorf("subscriber %d: %d packets written after the gate closed", i, n)
		}
	}
	if n := f.sent.Load(); n != 0 {
		t.Errorf("the publisher's forwarded count rose by %d after the gate closed", n)
	}
}

// BenchmarkFanout sends one publisher's 1000-byte video packets to n
// subscribers: "inline" writes each copy in the publisher's reader (the
// path before the queues), "queued" through each subscriber's queue and
// writer goroutine. The writers stop at a discardWriter: this is the
// fan-out's own cost, without SRTP, interceptors and sockets (the load
// tool measures those). copies/s counts packets written to subscribers;
// allocs/op is per received packet.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("inline/subs=%d", n), func(b *testing.B) { benchInline(b, n) })
		b.Run(fmt.Sprintf("queued/subs=%d", n), func(b *testing.B) { benchQueued(b, n) })
	}
}

func benchInline(b *testing.B, n int) {
	f := newFanout(b, n, testMetrics(b))
	now := time.Now()
	var tseq uint16
	b.ReportAllocs()
	for b.Loop() {
		in := f.up.bufs.Get().(*inPacket)
		in.refs.Store(1)
		c := copy(in.buf[:], f.raw)
		f.seq++
		in.buf[2], in.buf[3] = byte(f.seq>>8), byte(f.seq)
		_ = in.pkt.Unmarshal(in.buf[:c])
		f.up.mu.Lock()
		for _, dt := range f.up.subs {
			v := dt.fwd.forward(0, in.pkt.SequenceNumber, in.pkt.Timestamp, true, now)
			if v.ok && dt.send(outPacket{dt: dt, in: in, seq: v.seq, ts: v.ts}, &tseq) {
				f.sent.Add(1)
			}
		}
		f.up.mu.Unlock()
		in.release()
	}
	b.ReportMetric(float64(f.sent.Load())/b.Elapsed().Seconds(), "copies/s")
}

func benchQueued(b *testing.B, n int) {
	benchQueuedOn(b, n, newFanout(b, n, testMetrics(b)))
}

func benchQueuedOn(b *testing.B, n int, f *fanout) {
	ctx, cancel := context.WithCancel(context.Background())
	wg := f.start(ctx)
	now := time.Now()
	var i uint64
	b.ReportAllocs()
	for b.Loop() {
		f.receive(now)
		i++
		// Keep the queues from overflowing: the benchmark measures
		// throughput, not dropping.
		for i*uint64(n)-f.sent.Load()-f.dropped() > mediaQueueLen/2 {
			runtime.Gosched()
		}
	}
	for f.sent.Load()+f.dropped() < i*uint64(n) {
		runtime.Gosched()
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	b.ReportMetric(float64(f.sent.Load())/b.Elapsed().Seconds(), "copies/s")
	b.ReportMetric(float64(f.dropped()), "dropped")
}
