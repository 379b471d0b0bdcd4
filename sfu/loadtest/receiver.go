package loadtest

import (
	"encoding/binary"
	"slices"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// maxLatencySamples bounds the latencies kept per stream.
const maxLatencySamples = 100000

// Stream is what one client received from one publisher track.
type Stream struct {
	Publisher string // the publisher's participant id (the track's stream id)
	Video     bool
	SSRC      uint32 // as the server sends it to this client
	LastSeq   uint16 // RTP sequence number of the newest packet
	Packets   int64
	Bytes     int64 // RTP bytes received (headers and payload, after SRTP)
	Gaps      int64 // counter jumps (lost or not forwarded packets)
	Lost      int64 // packets missing inside the gaps
	Reordered int64 // counter went backwards
	Corrupt   int64 // payload not what the publisher wrote
	SeqBreaks int64 // RTP sequence number not last+1
	// Simulcast (synthetic video carries its layer in the payload).
	Layer         int   // layer of the last packet
	Switches      int64 // layer changes seen (late packets do not count)
	DeltaSwitches int64 // layer changes that did not start on a keyframe
	// BlindSwitches are layer changes right after lost packets: the lost
	// ones may have started the keyframe, so whether it did is unknown.
	BlindSwitches int64
	// Audio level (RFC 6464) as the server forwarded it.
	Levels    int64 // packets that carried one
	Level     int   // the last one (0 loudest .. 127 silence)
	Latencies []time.Duration
	// SenderReports counts the server's RTCP sender reports about the
	// stream; ReportLag is the RTP time the last one gave less the
	// newest packet's timestamp when it came (near 0 when they agree).
	SenderReports int64
	ReportLag     int64
	// Jitter is the RFC 3550 interarrival jitter estimate.
	Jitter   time.Duration
	jitter   float64
	lastSent int64
	lastRecv int64
	lastCtr  uint64
	lastSeq  uint16
	lastTS   uint32 // RTP timestamp of the newest packet
	topSeq   uint16 // sequence number of the newest packet so far
	started  bool
}

// Receiver collects Streams.
type Receiver struct {
	mu      sync.Mutex // guards streams
	streams map[string]*Stream
}

func newReceiver() *Receiver { return &Receiver{streams: map[string]*Stream{}} }

func key(pub string, video bool) string {
	if video {
		return pub + "/video"
	}
	return pub + "/audio"
}

// Stream returns a copy of the stream from pub, and whether it exists.
func (r *Receiver) Stream(pub string, video bool) (Stream, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.streams[key(pub, video)]
	if !ok {
		return Stream{}, false
	}
	cp := *s
	cp.Latencies = slices.Clone(s.Latencies)
	return cp, true
}

// Streams returns copies of every stream.
func (r *Receiver) Streams() []Stream {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Stream, 0, len(r.streams))
	for _, s := range r.streams {
		cp := *s
		cp.Latencies = slices.Clone(s.Latencies)
		out = append(out, cp)
	}
	return out
}

// read records a track's packets; levelID is the audio-level extension id
// this client negotiated (0: none).
func (r *Receiver) read(t *webrtc.TrackRemote, levelID uint8) {
	video := t.Kind() == webrtc.RTPCodecTypeVideo
	k := key(t.StreamID(), video)
	r.mu.Lock()
	s := r.streams[k]
	if s == nil {
		s = &Stream{Publisher: t.StreamID(), Video: video, SSRC: uint32(t.SSRC())}
		r.streams[k] = s
	}
	r.mu.Unlock()
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		r.mu.Lock()
		s.Bytes += int64(n)
		s.record(&pkt, time.Now())
		s.lastTS = pkt.Timestamp
		if lvl := pkt.GetExtension(levelID); levelID != 0 && len(lvl) > 0 {
			s.Levels++
			s.Level = int(lvl[0] & 0x7f)
		}
		r.mu.Unlock()
	}
}

// readReports records the sender reports about a track.
func (r *Receiver) readReports(t *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	k := key(t.StreamID(), t.Kind() == webrtc.RTPCodecTypeVideo)
	for {
		pkts, _, err := recv.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			sr, ok := p.(*rtcp.SenderReport)
			if !ok || sr.SSRC != uint32(t.SSRC()) {
				continue
			}
			r.mu.Lock()
			if s := r.streams[k]; s != nil && s.Packets > 0 {
				s.SenderReports++
				s.ReportLag = int64(int32(sr.RTPTime - s.lastTS))
			}
			r.mu.Unlock()
		}
	}
}

func (s *Stream) record(pkt *rtp.Packet, now time.Time) {
	b := pkt.Payload
	if len(b) < headerBytes {
		s.Corrupt++
		return
	}
	ctr := binary.BigEndian.Uint64(b[2:])
	sent := int64(binary.BigEndian.Uint64(b[10:]))
	for i := headerBytes; i < len(b); i++ {
		if b[i] != byte(ctr)+byte(i) {
			s.Corrupt++
			break
		}
	}
	s.Packets++
	s.recordLayer(pkt)
	if s.started {
		d := float64((now.UnixNano() - s.lastRecv) - (sent - s.lastSent))
		if d < 0 {
			d = -d
		}
		s.jitter += (d - s.jitter) / 16
		s.Jitter = time.Duration(s.jitter)
	}
	s.lastSent, s.lastRecv = sent, now.UnixNano()
	if len(s.Latencies) < maxLatencySamples {
		s.Latencies = append(s.Latencies, time.Duration(now.UnixNano()-sent))
	}
	if !s.Video && b[0]&silentFlag != 0 {
		// DTX silence repeats the last counter: nothing to count.
		s.lastSeq = pkt.SequenceNumber
		return
	}
	if s.started {
		switch {
		case ctr <= s.lastCtr:
			s.Reordered++
		case ctr != s.lastCtr+1:
			s.Gaps++
			s.Lost += int64(ctr - s.lastCtr - 1)
		}
		if pkt.SequenceNumber != s.lastSeq+1 {
			s.SeqBreaks++
		}
	}
	s.started = true
	if ctr > s.lastCtr {
		// A frame's last packet on a layer that sends fewer packets than
		// the others says how many counters it skipped (publisher).
		s.lastCtr = ctr
		if s.Video {
			s.lastCtr += uint64(b[1]>>1) & 3
		}
		s.LastSeq = pkt.SequenceNumber
	}
	s.lastSeq = pkt.SequenceNumber
}

// recordLayer follows the simulcast layer. A late packet (a retransmission:
// its sequence number is not after the last one's) does not change it.
// Sequence numbers, not counters, tell: a layer switch repeats the
// counters of the frame the old layer had just sent.
func (s *Stream) recordLayer(pkt *rtp.Packet) {
	b := pkt.Payload
	layer := int(b[1]>>5) & 3
	if !s.started {
		s.Layer, s.topSeq = layer, pkt.SequenceNumber
		return
	}
	ahead := int16(pkt.SequenceNumber - s.topSeq)
	if ahead <= 0 {
		return
	}
	s.topSeq = pkt.SequenceNumber
	if layer == s.Layer {
		return
	}
	s.Switches++
	keyStart := b[1]&0x01 == 0 && b[0]&0x10 != 0
	switch {
	case keyStart:
	case ahead > 1:
		s.BlindSwitches++
	default:
		s.DeltaSwitches++
	}
	s.Layer = layer
}
