package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"golang.org/x/time/rate"
)

// resendPeer is a subscriber with one video stream whose ring holds the
// packets sent as sequence numbers 0-299 (only the last nackSlots are
// kept).
func resendPeer(t *testing.T) (*downTrack, *Peer) {
	t.Helper()
	sub := &Peer{out: newMediaQueue(testMetrics(t)), nackBudget: rate.NewLimiter(nackPerSecond, nackBurst)}
	dt := &downTrack{up: &upTrack{video: true}, sub: sub, sent: &sentRing{}}
	for seq := range 300 {
		dt.sent.keep(outPacket{dt: dt, in: &inPacket{}, seq: uint16(seq), ts: uint32(seq * 3000)})
	}
	return dt, sub
}

// queued drains the subscriber's queue and returns what it held.
func queued(sub *Peer) (seqs []uint16) {
	for {
		select {
		case op := <-sub.out.ch:
			if !op.resend {
				panic("a resend not marked as one")
			}
			seqs = append(seqs, op.seq)
		default:
			return seqs
		}
	}
}

func nackFor(ssrc uint32, seqs ...uint16) *rtcp.TransportLayerNack {
	return &rtcp.TransportLayerNack{SenderSSRC: 9, MediaSSRC: ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)}
}

// A NACK is answered from what was sent, each packet at most
// nackMaxResends times and not again within nackMinGap; packets too old
// for the ring are not resent.
func TestNACKAnsweredFromSent(t *testing.T) {
	dt, sub := resendPeer(t)
	clock := time.Unix(1000, 0)
	ask := func(seqs ...uint16) []uint16 {
		dt.sent.answer(dt, nackFor(1, seqs...), clock)
		return queued(sub)
	}
	if got := ask(290, 291); len(got) != 2 || got[0] != 290 || got[1] != 291 {
		t.Fatalf("first request: %v, want 290 and 291", got)
	}
	if got := ask(290, 291); len(got) != 0 {
		t.Fatalf("asked again at once: %v, want nothing", got)
	}
	for i := 2; i <= nackMaxResends; i++ {
		clock = clock.Add(nackMinGap)
		if got := ask(290, 292); len(got) != 2 {
			t.Fatalf("resend %d: %v, want 290 and 292", i, got)
		}
	}
	clock = clock.Add(nackMinGap)
	if got := ask(290, 292); len(got) != 1 || got[0] != 292 {
		t.Fatalf("after %d resends of 290: %v, want only 292", nackMaxResends, got)
	}
	// 20 was overwritten by 276 (256 slots): neither it nor a packet never
	// sent is resent.
	if got := ask(20, 400); len(got) != 0 {
		t.Fatalf("packets not in the ring: %v", got)
	}
	// Sending the packet again (a resend) keeps its count.
	op := outPacket{dt: dt, in: &inPacket{}, seq: 293}
	dt.sent.keep(op)
	if got := ask(293); len(got) != 1 {
		t.Fatalf("a newly sent packet: %v", got)
	}
}

// A subscriber cannot make the server resend more than its budget, however
// many distinct packets it asks for.
func TestNACKBudget(t *testing.T) {
	clock := time.Unix(1000, 0)
	sub := &Peer{out: newMediaQueue(testMetrics(t)), nackBudget: rate.NewLimiter(nackPerSecond, nackBurst)}
	allowed := 0
	// Several streams, so that the ring's size is not what limits.
	for s := range 8 {
		dt := &downTrack{up: &upTrack{video: true}, sub: sub, sent: &sentRing{}}
		seqs := make([]uint16, nackSlots)
		for i := range seqs {
			seqs[i] = uint16(i)
			dt.sent.keep(outPacket{dt: dt, in: &inPacket{}, seq: uint16(i)})
		}
		dt.sent.answer(dt, nackFor(uint32(s), seqs...), clock)
		allowed += len(queued(sub))
	}
	if allowed != nackBurst {
		t.Fatalf("resends allowed at one instant: %d, want the burst %d", allowed, nackBurst)
	}
}

// The RTCP reader acts on the parts of a compound packet that name its
// own stream only: Pion hands a compound packet to every stream one of
// its parts names.
func TestRTCPForThisStreamOnly(t *testing.T) {
	dt, sub := resendPeer(t)
	sub.bwe = &fixedEstimate{}
	dt.local = boundFwdTrack(t) // SSRC 1234
	now := time.Unix(1000, 0)
	dt.onRTCP([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 9}, nackFor(999, 290)}, now)
	if got := queued(sub); len(got) != 0 {
		t.Fatalf("a NACK for another stream was answered: %v", got)
	}
	dt.onRTCP([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 9}, nackFor(1234, 290)}, now)
	if got := queued(sub); len(got) != 1 {
		t.Fatalf("a NACK for this stream: %v, want 290", got)
	}
}

// boundFwdTrack is a video track bound to a discardWriter as SSRC 1234.
func boundFwdTrack(t *testing.T) *fwdTrack {
	t.Helper()
	local, err := newFwdTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "s")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.Bind(boundContext{&discardWriter{}}); err != nil {
		t.Fatal(err)
	}
	return local
}

// countingEstimate counts the feedback it is given.
type countingEstimate struct {
	fixedEstimate
	feedback int
}

func (c *countingEstimate) Feedback(*rtcp.TransportLayerCC, time.Time) { c.feedback++ }

// The estimator takes a subscriber's TWCC feedback about this stream
// only, and no more than the budget however much is sent.
func TestFeedbackBudget(t *testing.T) {
	dt, sub := resendPeer(t)
	est := &countingEstimate{}
	sub.bwe = est
	sub.feedbackBudget = rate.NewLimiter(feedbackPerSecond, feedbackBurst)
	dt.local = boundFwdTrack(t) // SSRC 1234
	now := time.Unix(1000, 0)
	dt.onRTCP([]rtcp.Packet{&rtcp.TransportLayerCC{MediaSSRC: 999}}, now)
	if est.feedback != 0 {
		t.Fatalf("feedback about another stream was taken")
	}
	for range 4 * feedbackBurst {
		dt.onRTCP([]rtcp.Packet{&rtcp.TransportLayerCC{MediaSSRC: 1234}}, now)
	}
	if est.feedback != feedbackBurst {
		t.Fatalf("feedback taken at one instant: %d, want the burst %d", est.feedback, feedbackBurst)
	}
	dt.onRTCP([]rtcp.Packet{&rtcp.TransportLayerCC{MediaSSRC: 1234}}, now.Add(time.Second))
	if est.feedback != feedbackBurst+1 {
		t.Fatalf("a second later: %d taken, want one more", est.feedback)
	}
}
