package loadtest

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Synthetic media: audio is one 100-byte Opus-sized packet every 20 ms
// (40 kbit/s); video is 30 frames/s of 3 packets of 1000 bytes
// (720 kbit/s), a keyframe every 2 s and on request.
const (
	audioInterval = 20 * time.Millisecond
	audioSize     = 100
	frameInterval = time.Second / 30
	videoPackets  = 3
	videoSize     = 1000
	keyframeEvery = 60
	dtxEvery      = 20 // a silent DTX stream sends every 400 ms
	headerBytes   = 18 // VP8 descriptor (2) + counter (8) + send time (8)
)

// Publisher sends one synthetic track. Every payload carries a counter and
// its send time, and filler derived from the counter, so a receiver can
// check each packet is intact, in order, and measure its latency.
type Publisher struct {
	c     *Client
	video bool
	// tracks: one, or the simulcast layers lowest first (rid q, h, f).
	// Every layer carries the same frames and counters, with a payload
	// size growing with the layer and the layer in the VP8 header's size
	// bits, so a receiver sees which layer it gets.
	tracks []*webrtc.TrackLocalStaticRTP
	sender *webrtc.RTPSender
	// interval between audio packets or video frames
	interval time.Duration

	// layerPackets is how many packets each simulcast layer sends per
	// frame (Options.LayerPackets); nil: videoPackets on every layer.
	layerPackets []int

	sending atomic.Bool // packets are written while true
	// dtx: while the level is silence (127), audio sends one packet every
	// dtxEvery intervals, as Opus with DTX does (Options.DTX).
	dtx     atomic.Bool
	level   atomic.Int32 // audio level to send (0 loud .. 127 silent); -1: none
	wantKey atomic.Bool  // the next frame is a keyframe
	Sent    atomic.Int64
	PLIs    atomic.Int64 // keyframe requests received
	stopCh  chan struct{}
	once    sync.Once
}

// SimulcastRIDs are the layers a simulcast publisher sends, lowest first.
var SimulcastRIDs = []string{"q", "h", "f"}

func newPublisher(c *Client, video, simulcast bool, interval time.Duration) (*Publisher, error) {
	capab := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	id := "audio"
	if video {
		capab = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
		id = "video"
	}
	var tracks []*webrtc.TrackLocalStaticRTP
	rids := []string{""}
	if video && simulcast {
		rids = SimulcastRIDs
	}
	for _, rid := range rids {
		var opts []func(*webrtc.TrackLocalStaticRTP)
		if rid != "" {
			opts = append(opts, webrtc.WithRTPStreamID(rid))
		}
		t, err := webrtc.NewTrackLocalStaticRTP(capab, id, "synthetic", opts...)
		if err != nil {
			return nil, fmt.Errorf("loadtest: track: %w", err)
		}
		tracks = append(tracks, t)
	}
	if interval == 0 {
		interval = audioInterval
		if video {
			interval = frameInterval
		}
	}
	p := &Publisher{c: c, video: video, tracks: tracks, interval: interval, stopCh: make(chan struct{})}
	p.sending.Store(true)
	p.wantKey.Store(true)
	p.level.Store(-1)
	return p, nil
}

// attach binds the track to the server's receive slot and starts sending.
func (p *Publisher) attach() error {
	s, err := p.c.pc.AddTrack(p.tracks[0])
	if err != nil {
		return fmt.Errorf("loadtest: add track: %w", err)
	}
	for _, t := range p.tracks[1:] {
		if err := s.AddEncoding(t); err != nil {
			return fmt.Errorf("loadtest: add layer: %w", err)
		}
	}
	p.sender = s
	for _, t := range p.tracks {
		p.c.wg.Add(1)
		go func() { defer p.c.wg.Done(); p.readRTCP(t.RID()) }()
	}
	p.c.wg.Add(1)
	go func() { defer p.c.wg.Done(); p.loop() }()
	return nil
}

// SetSending starts or stops the packets (a muted microphone, a stopped
// camera). Resuming starts with a keyframe.
func (p *Publisher) SetSending(on bool) {
	if on {
		p.wantKey.Store(true)
	}
	p.sending.Store(on)
}

// SetLevel makes an audio publisher send the RFC 6464 audio level (0 is
// the loudest, 127 silence) with every packet.
func (p *Publisher) SetLevel(level uint8) { p.level.Store(int32(min(level, 127))) }

func (p *Publisher) extID(uri string) uint8 {
	for _, h := range p.sender.GetParameters().HeaderExtensions {
		if h.URI == uri {
			return uint8(h.ID)
		}
	}
	return 0
}

// mid is the media section the sender was negotiated in.
func (p *Publisher) mid() string {
	for _, tr := range p.c.pc.GetTransceivers() {
		if tr.Sender() == p.sender {
			return tr.Mid()
		}
	}
	return ""
}

func (p *Publisher) stop() { p.once.Do(func() { close(p.stopCh) }) }

// readRTCP reads one layer's RTCP (every layer has its own stream).
func (p *Publisher) readRTCP(rid string) {
	for {
		var pkts []rtcp.Packet
		var err error
		if rid == "" {
			pkts, _, err = p.sender.ReadRTCP()
		} else {
			pkts, _, err = p.sender.ReadSimulcastRTCP(rid)
		}
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				p.wantKey.Store(true)
				p.PLIs.Add(1)
			}
		}
	}
}

func (p *Publisher) loop() {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	var counter uint64
	var ts uint32
	seqs := make([]uint16, len(p.tracks))
	for frame := 0; ; frame++ {
		select {
		case <-p.stopCh:
			return
		case <-p.c.ctx.Done():
			return
		case <-t.C:
		}
		if p.video {
			ts += 3000
		} else {
			ts += 960
		}
		if !p.sending.Load() {
			continue
		}
		if !p.video && p.dtx.Load() && p.level.Load() >= 127 {
			// Silence: a comfort-noise packet now and then. It does not
			// advance the counter, so the receiver does not count the
			// silence the server stops forwarding as loss.
			if frame%dtxEvery == 0 && !p.sendSilence(counter, &seqs[0], ts) {
				return
			}
			continue
		}
		key := p.video && (p.wantKey.Swap(false) || frame%keyframeEvery == 0)
		first := counter
		for layer := range p.tracks {
			counter = first
			if !p.sendFrame(layer, &counter, &seqs[layer], ts, key) {
				return
			}
		}
	}
}

// sendFrame writes one frame (one audio packet, or videoPackets) on a
// layer; false when the track is closed.
func (p *Publisher) sendFrame(layer int, counter *uint64, seq *uint16, ts uint32, key bool) bool {
	n := 1
	if p.video {
		n = p.packetsPerFrame(layer)
	}
	for i := range n {
		*counter++
		*seq++
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Marker: i == n-1, SequenceNumber: *seq, Timestamp: ts},
			Payload: p.payload(*counter, layer, key && i == 0, i == 0)}
		if i == n-1 && p.video {
			// A layer that sends fewer packets a frame than the others
			// skips their counters: every layer's frame starts at the same
			// counter, so a switch of layer keeps counting right.
			skip := videoPackets - n
			pkt.Payload[1] |= byte(skip) << 1
			*counter += uint64(skip)
		}
		if lvl := p.level.Load(); lvl >= 0 && !p.video {
			if id := p.extID(AudioLevelURI); id != 0 {
				_ = pkt.Header.SetExtension(id, []byte{byte(lvl)})
			}
		}
		if rid := p.tracks[layer].RID(); rid != "" {
			// Pion does not add these: the server needs them to tell the
			// layers apart.
			if id := p.extID(sdp.SDESMidURI); id != 0 {
				_ = pkt.Header.SetExtension(id, []byte(p.mid()))
			}
			if id := p.extID(sdp.SDESRTPStreamIDURI); id != 0 {
				_ = pkt.Header.SetExtension(id, []byte(rid))
			}
		}
		if err := p.tracks[layer].WriteRTP(pkt); err != nil {
			return false
		}
		p.Sent.Add(1)
	}
	return true
}

// packetsPerFrame is how many packets a video layer sends per frame.
func (p *Publisher) packetsPerFrame(layer int) int {
	if layer < len(p.layerPackets) {
		return min(max(p.layerPackets[layer], 1), videoPackets)
	}
	return videoPackets
}

// sendSilence writes one DTX packet: silence level, flagged silent, with
// the last counter (not advanced).
func (p *Publisher) sendSilence(counter uint64, seq *uint16, ts uint32) bool {
	*seq++
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: *seq, Timestamp: ts},
		Payload: p.payload(counter, 0, false, true)}
	pkt.Payload[0] |= silentFlag
	if id := p.extID(AudioLevelURI); id != 0 {
		_ = pkt.Header.SetExtension(id, []byte{127})
	}
	if err := p.tracks[0].WriteRTP(pkt); err != nil {
		return false
	}
	p.Sent.Add(1)
	return true
}

// silentFlag marks a DTX packet in the first payload byte (audio only).
const silentFlag = 0x80

// payload builds: [VP8 descriptor 2 bytes][counter][send time][filler].
// Simulcast layers below the top are smaller (a third per step).
func (p *Publisher) payload(counter uint64, layer int, key, start bool) []byte {
	size := audioSize
	if p.video {
		size = videoSize * (layer + 1 + 3 - len(p.tracks)) / 3
	}
	b := make([]byte, size)
	if start {
		b[0] = 0x10 // S bit, partition 0
	}
	b[1] = byte(layer) << 5 // VP8 size bits: the layer, for the receiver
	if !key {
		b[1] |= 0x01 // VP8 P bit: inter frame
	}
	binary.BigEndian.PutUint64(b[2:], counter)
	binary.BigEndian.PutUint64(b[10:], uint64(time.Now().UnixNano()))
	for i := headerBytes; i < size; i++ {
		b[i] = byte(counter) + byte(i)
	}
	return b
}
