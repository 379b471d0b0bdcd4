package sfu

import (
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// Sender reports tell each subscriber, once a second per stream, which
// RTP time of the stream goes with which wall-clock time (browsers line
// audio up with video by them) and how much was sent.
const (
	reportEvery = time.Second
	// reportsPerPacket keeps a compound RTCP packet of sender reports (28
	// bytes each) well inside one datagram.
	reportsPerPacket = 32
)

// sendReport is what the sender reports about one stream say.
type sendReport struct {
	mu      sync.Mutex // guards the rest: the writer counts, the actor loop reports
	packets uint32
	octets  uint32
	lastTS  uint32    // the newest frame's RTP timestamp
	lastAt  time.Time // when its first packet was sent; zero before any
}

// count records one packet sent. The subscriber's writer only.
func (r *sendReport) count(ts uint32, payload int, now time.Time) {
	r.mu.Lock()
	r.packets++
	r.octets += uint32(payload)
	// The first packet of a frame dates it: the frame's later packets
	// leave later only because they are sent one after another.
	if ts != r.lastTS || r.lastAt.IsZero() {
		r.lastTS, r.lastAt = ts, now
	}
	r.mu.Unlock()
}

// report returns the stream's sender report at now; false before any
// packet was sent.
func (r *sendReport) report(ssrc, clockRate uint32, now time.Time) (*rtcp.SenderReport, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastAt.IsZero() {
		return nil, false
	}
	elapsed := now.Sub(r.lastAt).Seconds() * float64(clockRate)
	return &rtcp.SenderReport{
		SSRC:        ssrc,
		NTPTime:     ntpTime(now),
		RTPTime:     r.lastTS + uint32(int64(elapsed)),
		PacketCount: r.packets,
		OctetCount:  r.octets,
	}, true
}

// ntpTime is t as a 64-bit NTP timestamp (seconds since 1900, 32.32
// fixed point).
func ntpTime(t time.Time) uint64 {
	const unixToNTP = 2_208_988_800 // seconds from 1900 to 1970
	secs := uint64(t.Unix() + unixToNTP)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return secs<<32 | frac
}

// sendReports writes a sender report for every stream this subscriber
// has been sent something on. Actor loop only.
func (p *Peer) sendReports() {
	if p.pc == nil {
		return
	}
	now := time.Now()
	batch := make([]rtcp.Packet, 0, reportsPerPacket)
	for _, dt := range p.downs {
		ssrc := dt.local.ssrc()
		if ssrc == 0 {
			continue
		}
		if sr, ok := dt.report.report(ssrc, dt.up.codec.ClockRate, now); ok {
			batch = append(batch, sr)
		}
		if len(batch) == reportsPerPacket {
			p.writeRTCP(batch)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		p.writeRTCP(batch)
	}
}

func (p *Peer) writeRTCP(pkts []rtcp.Packet) {
	if err := p.pc.WriteRTCP(pkts); err != nil {
		p.log.Debug("sender reports", "err", err)
	}
}
