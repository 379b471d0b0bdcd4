package sfu

import (
	"sync"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"golang.org/x/time/rate"
)

// Pion's NACK responder resends every packet a subscriber asks for, as often
// as it asks, from a goroutine per NACK. A client that keeps asking (an
// overloaded one, or a raider) turns its downlink into a retransmission
// storm and the server's CPU with it. The guard sits under the responder and
// thins the requests out the way a browser's sender does: each packet is
// resent a few times at most, not again before a round trip could have
// answered the last resend, and within a per-subscriber budget.
const (
	nackSlots      = 256                   // remembered packets per stream (the responder keeps 256)
	nackMaxResends = 3                     // resends of one packet
	nackMinGap     = 40 * time.Millisecond // between two resends of one packet
	nackPerSecond  = 1000                  // resends per subscriber per second
	nackBurst      = 1000
)

// nackGuardFactory makes one guard per PeerConnection.
type nackGuardFactory struct{ now func() time.Time }

func (f nackGuardFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	now := f.now
	if now == nil {
		now = time.Now
	}
	return &nackGuard{now: now, budget: rate.NewLimiter(nackPerSecond, nackBurst),
		streams: map[uint32]*[nackSlots]resend{}}, nil
}

// nackGuard filters one PeerConnection's incoming NACKs.
type nackGuard struct {
	interceptor.NoOp
	now     func() time.Time
	budget  *rate.Limiter
	mu      sync.Mutex                    // guards streams
	streams map[uint32]*[nackSlots]resend // by media SSRC, for the streams sent on this connection
}

// resend remembers the last resend of one sequence number.
type resend struct {
	seq   uint16
	count uint8
	at    time.Time
}

func (g *nackGuard) BindLocalStream(info *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	g.mu.Lock()
	g.streams[info.SSRC] = &[nackSlots]resend{}
	g.mu.Unlock()
	return w
}

func (g *nackGuard) UnbindLocalStream(info *interceptor.StreamInfo) {
	g.mu.Lock()
	delete(g.streams, info.SSRC)
	g.mu.Unlock()
}

// BindRTCPReader rewrites compound packets that carry NACKs so that only
// the allowed requests remain. A packet left with nothing is skipped: the
// reader goes on to the next one, since an empty read would end the
// subscriber's RTCP loop.
func (g *nackGuard) BindRTCPReader(reader interceptor.RTCPReader) interceptor.RTCPReader {
	return interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		for {
			n, attr, err := reader.Read(b, a)
			if err != nil || !hasNACK(b[:n]) {
				return n, attr, err
			}
			pkts, err := rtcp.Unmarshal(b[:n])
			if err != nil {
				return n, attr, nil // not ours to judge: the readers above report it
			}
			kept := g.filter(pkts)
			if len(kept) == 0 {
				continue
			}
			out, err := rtcp.Marshal(kept)
			if err != nil || len(out) > len(b) {
				continue
			}
			return copy(b, out), attr, nil
		}
	})
}

// hasNACK reports whether a compound RTCP packet holds a generic NACK
// (RTPFB, FMT 1) without parsing the rest.
func hasNACK(b []byte) bool {
	for len(b) >= 4 {
		if b[1] == byte(rtcp.TypeTransportSpecificFeedback) && b[0]&0x1f == rtcp.FormatTLN {
			return true
		}
		size := 4 * (int(b[2])<<8 | int(b[3]) + 1)
		if size > len(b) {
			return false
		}
		b = b[size:]
	}
	return false
}

// filter keeps every packet but NACKs, and each NACK with only the
// sequence numbers that may be resent now.
func (g *nackGuard) filter(pkts []rtcp.Packet) []rtcp.Packet {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	kept := pkts[:0]
	for _, p := range pkts {
		nack, ok := p.(*rtcp.TransportLayerNack)
		if !ok {
			kept = append(kept, p)
			continue
		}
		slots := g.streams[nack.MediaSSRC]
		if slots == nil {
			continue
		}
		var seqs []uint16
		for _, pair := range nack.Nacks {
			pair.Range(func(seq uint16) bool {
				if g.allow(slots, seq, now) {
					seqs = append(seqs, seq)
				}
				return true
			})
		}
		if len(seqs) > 0 {
			nack.Nacks = rtcp.NackPairsFromSequenceNumbers(seqs)
			kept = append(kept, nack)
		}
	}
	return kept
}

// allow decides one request and records it. Under g.mu.
func (g *nackGuard) allow(slots *[nackSlots]resend, seq uint16, now time.Time) bool {
	s := &slots[seq%nackSlots]
	if s.seq == seq && !s.at.IsZero() {
		if s.count >= nackMaxResends || now.Sub(s.at) < nackMinGap {
			return false
		}
	} else {
		*s = resend{seq: seq}
	}
	if !g.budget.AllowN(now, 1) {
		return false
	}
	s.count++
	s.at = now
	return true
}
