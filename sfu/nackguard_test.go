package sfu

import (
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
)

// queueReader hands out prepared RTCP packets one read at a time.
type queueReader struct{ pkts [][]byte }

func (q *queueReader) Read(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
	if len(q.pkts) == 0 {
		return 0, nil, errEndOfTest
	}
	n := copy(b, q.pkts[0])
	q.pkts = q.pkts[1:]
	return n, a, nil
}

type testErr string

func (e testErr) Error() string { return string(e) }

const errEndOfTest = testErr("no more packets")

func marshal(t *testing.T, pkts ...rtcp.Packet) []byte {
	t.Helper()
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func nackFor(ssrc uint32, seqs ...uint16) *rtcp.TransportLayerNack {
	return &rtcp.TransportLayerNack{SenderSSRC: 9, MediaSSRC: ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(seqs)}
}

// nackedSeqs lists what the packets read still ask to resend, and the
// other packets' types.
func readOne(t *testing.T, r interceptor.RTCPReader) (seqs []uint16, others []string) {
	t.Helper()
	b := make([]byte, 1500)
	n, _, err := r.Read(b, nil)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	pkts, err := rtcp.Unmarshal(b[:n])
	if err != nil {
		t.Fatalf("the guard wrote RTCP that does not parse: %v", err)
	}
	for _, p := range pkts {
		if nack, ok := p.(*rtcp.TransportLayerNack); ok {
			for _, pair := range nack.Nacks {
				seqs = append(seqs, pair.PacketList()...)
			}
			continue
		}
		others = append(others, typeName(p))
	}
	return seqs, others
}

func typeName(p rtcp.Packet) string {
	switch p.(type) {
	case *rtcp.ReceiverReport:
		return "rr"
	case *rtcp.PictureLossIndication:
		return "pli"
	}
	return "other"
}

func TestNACKGuard(t *testing.T) {
	clock := time.Unix(1000, 0)
	f := nackGuardFactory{now: func() time.Time { return clock }}
	ic, err := f.NewInterceptor("")
	if err != nil {
		t.Fatal(err)
	}
	g := ic.(*nackGuard)
	g.BindLocalStream(&interceptor.StreamInfo{SSRC: 1}, nil)
	rr := &rtcp.ReceiverReport{SSRC: 9}
	q := &queueReader{}
	r := g.BindRTCPReader(q)
	read := func(pkts ...[]byte) ([]uint16, []string) {
		q.pkts = append(q.pkts, pkts...)
		return readOne(t, r)
	}

	if seqs, _ := read(marshal(t, nackFor(1, 10, 11))); len(seqs) != 2 {
		t.Fatalf("first request: %v, want 10 and 11", seqs)
	}
	// Asked again at once: dropped; the reader goes on to the next packet
	// rather than returning an empty one.
	if seqs, others := read(marshal(t, nackFor(1, 10, 11)), marshal(t, rr)); len(seqs) != 0 || len(others) != 1 {
		t.Fatalf("repeat within the gap: nacks %v others %v, want the next packet (rr) alone", seqs, others)
	}
	// A compound packet keeps its other parts when its NACK is dropped.
	if seqs, others := read(marshal(t, rr, nackFor(1, 10), &rtcp.PictureLossIndication{MediaSSRC: 1})); len(seqs) != 0 || len(others) != 2 {
		t.Fatalf("compound: nacks %v others %v, want rr and pli", seqs, others)
	}
	// After the gap a packet may be resent, three times in all.
	for i := 2; i <= nackMaxResends; i++ {
		clock = clock.Add(nackMinGap)
		if seqs, _ := read(marshal(t, nackFor(1, 10, 12))); len(seqs) != 2 {
			t.Fatalf("resend %d: %v, want 10 and 12", i, seqs)
		}
	}
	clock = clock.Add(nackMinGap)
	if seqs, _ := read(marshal(t, nackFor(1, 10, 12))); len(seqs) != 1 || seqs[0] != 12 {
		t.Fatalf("after %d resends of 10: %v, want only 12", nackMaxResends, seqs)
	}
	// Streams this connection does not send are not resent.
	if seqs, others := read(marshal(t, nackFor(2, 5)), marshal(t, rr)); len(seqs) != 0 || len(others) != 1 {
		t.Fatalf("unknown stream: nacks %v others %v", seqs, others)
	}
	g.UnbindLocalStream(&interceptor.StreamInfo{SSRC: 1})
	if seqs, _ := read(marshal(t, nackFor(1, 200)), marshal(t, rr)); len(seqs) != 0 {
		t.Fatalf("unbound stream: nacks %v", seqs)
	}
}

// A subscriber cannot make the server resend more than its budget, however
// many distinct packets it asks for.
func TestNACKGuardBudget(t *testing.T) {
	clock := time.Unix(1000, 0)
	ic, _ := nackGuardFactory{now: func() time.Time { return clock }}.NewInterceptor("")
	g := ic.(*nackGuard)
	g.BindLocalStream(&interceptor.StreamInfo{SSRC: 1}, nil)
	q := &queueReader{}
	r := g.BindRTCPReader(q)
	allowed := 0
	for start := 0; start < 4*nackBurst; start += 100 {
		seqs := make([]uint16, 100)
		for i := range seqs {
			seqs[i] = uint16(start + i)
		}
		q.pkts = append(q.pkts, marshal(t, nackFor(1, seqs...)), marshal(t, &rtcp.ReceiverReport{SSRC: 9}))
		got, others := readOne(t, r)
		allowed += len(got)
		if len(others) == 0 {
			readOne(t, r) // the rr behind an allowed NACK
		}
	}
	if allowed != nackBurst {
		t.Fatalf("resends allowed at one instant: %d, want the burst %d", allowed, nackBurst)
	}
	clock = clock.Add(time.Second)
	q.pkts = append(q.pkts, marshal(t, nackFor(1, 60000, 60001)))
	if got, _ := readOne(t, r); len(got) != 2 {
		t.Fatalf("a second later: %v, want the budget refilled", got)
	}
}

func TestHasNACK(t *testing.T) {
	for name, c := range map[string]struct {
		b    []byte
		want bool
	}{
		"nack":         {marshal(t, nackFor(1, 3)), true},
		"rr then nack": {marshal(t, &rtcp.ReceiverReport{SSRC: 1}, nackFor(1, 3)), true},
		"pli":          {marshal(t, &rtcp.PictureLossIndication{MediaSSRC: 1}), false},
		"twcc":         {marshal(t, &rtcp.TransportLayerCC{MediaSSRC: 1, PacketStatusCount: 0}), false},
		"truncated":    {marshal(t, &rtcp.ReceiverReport{SSRC: 1}, nackFor(1, 3))[:10], false},
		"empty":        {nil, false},
	} {
		if got := hasNACK(c.b); got != c.want {
			t.Errorf("%s: hasNACK = %v, want %v", name, got, c.want)
		}
	}
}
