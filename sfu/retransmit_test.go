package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
	"github.com/pion/rtcp"
)

// A subscriber's NACK gets the lost packet again from the server's buffer,
// once: asking again at once gets nothing more (the NACK guard), asking
// after a round trip's gap gets it again.
func TestNACKRetransmitsOncePerGap(t *testing.T) {
	ts := startServer(t, sfu.Config{})
	pub := ts.dial(t, "r", "pub", false, true)
	// The resent packet was not really lost, so the subscriber lets it
	// past SRTP's replay check (a browser asks only for what it lacks).
	sub := ts.dialOpts(t, loadtest.Options{Room: "r", Name: "sub", AcceptReplays: true})
	waitFor(t, 10*time.Second, "video at the subscriber", func() bool { return received(sub, pub.ID, true, 60) })
	s, _ := sub.Recv.Stream(pub.ID, true)
	// A packet some way back, surely still in the 256-packet buffer.
	seq := s.LastSeq - 20
	nack := []rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: s.SSRC,
		Nacks: rtcp.NackPairsFromSequenceNumbers([]uint16{seq})}}
	resent := func() int64 { st, _ := sub.Recv.Stream(pub.ID, true); return st.Reordered }

	if err := sub.WriteRTCP(nack); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the retransmission", func() bool { return resent() == 1 })
	// Asked again within the gap: not resent.
	if err := sub.WriteRTCP(nack); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := resent(); n != 1 {
		t.Fatalf("asked again at once: %d copies resent in all, want 1", n)
	}
	// The gap has passed (300 ms > 40 ms): resent once more.
	if err := sub.WriteRTCP(nack); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the second retransmission", func() bool { return resent() == 2 })
	st, _ := sub.Recv.Stream(pub.ID, true)
	if st.Corrupt != 0 {
		t.Fatalf("%d corrupt packets", st.Corrupt)
	}
}

// Subscribers get sender reports about each stream, whose RTP time agrees
// with the stream's own timestamps (browsers line audio and video up by
// them).
func TestSenderReportsReachSubscribers(t *testing.T) {
	ts := startServer(t, sfu.Config{})
	pub := ts.dial(t, "r", "pub", true, true)
	sub := ts.dial(t, "r", "sub", false, false)
	for _, video := range []bool{false, true} {
		waitFor(t, 15*time.Second, "two sender reports", func() bool {
			s, ok := sub.Recv.Stream(pub.ID, video)
			return ok && s.SenderReports >= 2
		})
		s, _ := sub.Recv.Stream(pub.ID, video)
		// Within a second of the stream's clock (48 or 90 kHz) of the
		// newest packet's timestamp: a report computed from another
		// stream's timestamps, or the publisher's, would be far off.
		if lag := s.ReportLag; lag < -48000 || lag > 90000 {
			t.Errorf("video %v: the sender report's RTP time is %d ticks from the newest packet's", video, lag)
		}
	}
}
