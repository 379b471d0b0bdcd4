package loadtest

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
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
	headerBytes   = 18 // VP8 descriptor (2) + counter (8) + send time (8)
)

// Publisher sends one synthetic track. Every payload carries a counter and
// its send time, and filler derived from the counter, so a receiver can
// check each packet is intact, in order, and measure its latency.
type Publisher struct {
	c      *Client
	video  bool
	track  *webrtc.TrackLocalStaticRTP
	sender *webrtc.RTPSender
	// interval between audio packets or video frames
	interval time.Duration

	sending atomic.Bool  // packets are written while true
	level   atomic.Int32 // audio level to send (0 loud .. 127 silent); -1: none
	wantKey atomic.Bool  // the next frame is a keyframe
	Sent    atomic.Int64
	stopCh  chan struct{}
	once    sync.Once
}

func newPublisher(c *Client, video bool, interval time.Duration) (*Publisher, error) {
	capab := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	id := "audio"
	if video {
		capab = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
		id = "video"
	}
	t, err := webrtc.NewTrackLocalStaticRTP(capab, id, "synthetic")
	if err != nil {
		return nil, fmt.Errorf("loadtest: track: %w", err)
	}
	if interval == 0 {
		interval = audioInterval
		if video {
			interval = frameInterval
		}
	}
	p := &Publisher{c: c, video: video, track: t, interval: interval, stopCh: make(chan struct{})}
	p.sending.Store(true)
	p.wantKey.Store(true)
	p.level.Store(-1)
	return p, nil
}

// attach binds the track to the server's receive slot and starts sending.
func (p *Publisher) attach() error {
	s, err := p.c.pc.AddTrack(p.track)
	if err != nil {
		return fmt.Errorf("loadtest: add track: %w", err)
	}
	p.sender = s
	p.c.wg.Add(2)
	go func() { defer p.c.wg.Done(); p.readRTCP() }()
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

func (p *Publisher) levelExtID() uint8 {
	for _, h := range p.sender.GetParameters().HeaderExtensions {
		if h.URI == AudioLevelURI {
			return uint8(h.ID)
		}
	}
	return 0
}

func (p *Publisher) stop() { p.once.Do(func() { close(p.stopCh) }) }

func (p *Publisher) readRTCP() {
	for {
		pkts, _, err := p.sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				p.wantKey.Store(true)
			}
		}
	}
}

func (p *Publisher) loop() {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	var counter uint64
	var seq uint16
	var ts uint32
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
		key := p.video && (p.wantKey.Swap(false) || frame%keyframeEvery == 0)
		n := 1
		if p.video {
			n = videoPackets
		}
		for i := range n {
			counter++
			seq++
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Marker: i == n-1, SequenceNumber: seq, Timestamp: ts},
				Payload: p.payload(counter, key && i == 0, i == 0)}
			if lvl := p.level.Load(); lvl >= 0 && !p.video {
				if id := p.levelExtID(); id != 0 {
					_ = pkt.Header.SetExtension(id, []byte{byte(lvl)})
				}
			}
			if err := p.track.WriteRTP(pkt); err != nil {
				return
			}
			p.Sent.Add(1)
		}
	}
}

// payload builds: [VP8 descriptor 2 bytes][counter][send time][filler].
func (p *Publisher) payload(counter uint64, key, start bool) []byte {
	size := audioSize
	if p.video {
		size = videoSize
	}
	b := make([]byte, size)
	if start {
		b[0] = 0x10 // S bit, partition 0
	}
	if !key {
		b[1] = 0x01 // VP8 P bit: inter frame
	}
	binary.BigEndian.PutUint64(b[2:], counter)
	binary.BigEndian.PutUint64(b[10:], uint64(time.Now().UnixNano()))
	for i := headerBytes; i < size; i++ {
		b[i] = byte(counter) + byte(i)
	}
	return b
}
