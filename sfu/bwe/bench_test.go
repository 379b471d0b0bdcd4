package bwe

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/gcc"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

func TestSentDoesNotAllocate(t *testing.T) {
	e := New(hearth)
	seq, at := uint16(0), simStart
	if n := testing.AllocsPerRun(10_000, func() {
		e.Sent(seq, 1000, at)
		seq++
		at = at.Add(100 * time.Microsecond)
	}); n != 0 {
		t.Fatalf("Sent allocates %v times a packet", n)
	}
}

// feedbackBatch is the size of the benchmarks' feedback: 128 packets
// 1 ms apart (two reference-time units), one of them lost.
const feedbackBatch = 128

// batchFeedback builds that feedback as a client sends it, parsed from
// the wire.
func batchFeedback(tb testing.TB) *rtcp.TransportLayerCC {
	rec := twcc.NewRecorder(1)
	for i := range feedbackBatch {
		if i != 60 {
			rec.Record(5, uint16(i), int64(i)*1000+20_000)
		}
	}
	ps := rec.BuildFeedbackPacket()
	b, err := ps[0].Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	parsed, err := rtcp.Unmarshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	fb, ok := parsed[0].(*rtcp.TransportLayerCC)
	if !ok || len(ps) != 1 || fb.PacketStatusCount != feedbackBatch {
		tb.Fatalf("feedback %+v", parsed[0])
	}
	return fb
}

func BenchmarkSent(b *testing.B) {
	e := New(hearth)
	at := simStart
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.Sent(uint16(i), 1000, at)
		at = at.Add(100 * time.Microsecond)
	}
}

// BenchmarkFeedback: one op is 128 Sent calls and the feedback on them.
func BenchmarkFeedback(b *testing.B) {
	e := New(hearth)
	fb := batchFeedback(b)
	ref := fb.ReferenceTime
	at := simStart
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		base := uint16(i * feedbackBatch)
		for j := range feedbackBatch {
			e.Sent(base+uint16(j), 1000, at.Add(time.Duration(j)*time.Millisecond))
		}
		fb.BaseSequenceNumber = base
		fb.ReferenceTime = (ref + uint32(i)*2) & 0xffffff
		at = at.Add(feedbackBatch * time.Millisecond)
		e.Feedback(fb, at.Add(30*time.Millisecond))
	}
}

// pionWriter is Pion's send-side estimator's write path with its TWCC
// header extension, for comparison (what sfu/bwe.go uses today).
func pionWriter(b *testing.B) (*gcc.SendSideBWE, interceptor.RTPWriter, *rtp.Header) {
	est, err := gcc.NewSendSideBWE(gcc.SendSideBWEInitialBitrate(int(hearth.Initial)),
		gcc.SendSideBWEMinBitrate(int(hearth.Min)), gcc.SendSideBWEMaxBitrate(int(hearth.Max)),
		gcc.SendSideBWEPacer(gcc.NewNoOpPacer()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = est.Close() })
	info := &interceptor.StreamInfo{SSRC: 7, RTPHeaderExtensions: []interceptor.RTPHeaderExtension{
		{URI: "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", ID: 3}}}
	w := est.AddStream(info, interceptor.RTPWriterFunc(func(*rtp.Header, []byte, interceptor.Attributes) (int, error) {
		return 0, nil
	}))
	h := &rtp.Header{Version: 2, SSRC: 7}
	if err := h.SetExtension(3, []byte{0, 0}); err != nil {
		b.Fatal(err)
	}
	return est, w, h
}

func BenchmarkPionSent(b *testing.B) {
	_, w, h := pionWriter(b)
	payload := make([]byte, 1000-12)
	ext := h.GetExtension(3)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ext[0], ext[1] = byte(i>>8), byte(i)
		if _, err := w.Write(h, payload, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPionFeedback: one op is 128 packets written and the feedback
// on them.
func BenchmarkPionFeedback(b *testing.B) {
	est, w, h := pionWriter(b)
	payload := make([]byte, 1000-12)
	ext := h.GetExtension(3)
	fb := batchFeedback(b)
	ref := fb.ReferenceTime
	pkts := []rtcp.Packet{fb}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		base := uint16(i * feedbackBatch)
		for j := range feedbackBatch {
			s := base + uint16(j)
			ext[0], ext[1] = byte(s>>8), byte(s)
			if _, err := w.Write(h, payload, nil); err != nil {
				b.Fatal(err)
			}
		}
		fb.BaseSequenceNumber = base
		fb.ReferenceTime = (ref + uint32(i)*2) & 0xffffff
		if err := est.WriteRTCP(pkts, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// Sent from one goroutine while two others hand in feedback and a third
// reads the estimate (run with -race).
func TestConcurrentUse(t *testing.T) {
	e := New(hearth)
	var sent atomic.Int64 // packets sent so far
	var fed atomic.Int64  // feedback calls made
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range 20_000 {
			e.Sent(uint16(i), 1000, simStart.Add(time.Duration(i)*time.Millisecond))
			sent.Store(int64(i + 1))
		}
		// The feedback goroutines may not have run yet on a busy
		// machine: keep them going until each could take some.
		for fed.Load() < 20 {
			runtime.Gosched()
		}
	}()
	for g := range 2 {
		fb := batchFeedback(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				n := sent.Load()
				if n < feedbackBatch {
					continue
				}
				// feedback on the latest packets, some already reported by the other goroutine
				base := n - feedbackBatch - int64(g*feedbackBatch/2)
				if base < 0 {
					continue
				}
				fb.BaseSequenceNumber = uint16(base)
				fb.ReferenceTime = uint32(base/64) & 0xffffff
				e.Feedback(fb, simStart.Add(time.Duration(n)*time.Millisecond+40*time.Millisecond))
				fed.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if tg := e.Target(); tg < hearth.Min || tg > hearth.Max {
				t.Errorf("estimate %d out of bounds", tg)
				return
			}
		}
	}()
	wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.st.haveRef {
		t.Fatal("no feedback was taken: the test shows nothing")
	}
}
