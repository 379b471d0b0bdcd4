package dialin

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

const (
	frameSamples = 160 // 20 ms at 8 kHz
	frameTime    = 20 * time.Millisecond
	maxRTP       = 1500
	// keyQueue bounds key presses waiting for the IVR: a DTMF storm
	// beyond it is dropped.
	keyQueue = 32
)

// callerAudio receives the caller's audio, one RTP payload at a time, as
// mu-law (converted from A-law if the trunk sends that).
type callerAudio interface {
	callerFrame(ulaw []byte)
}

// roomAudio supplies what the caller hears, 20 ms at a time.
type roomAudio interface {
	next(out []int16)
}

// media is one call's RTP stream with the caller: a reader goroutine
// (keys, caller audio) and a 20 ms writer (prompts, else the room).
type media struct {
	conn  *net.UDPConn
	offer offer
	peer  net.IP // the SIP peer's address (allow-listed)
	keys  chan byte
	// toRoom counts caller frames handed to the room (the gateway's).
	toRoom *atomic.Int64

	mu sync.Mutex // guards the fields below
	// remote is where audio goes: the SDP's address until the caller's
	// first packet latches it (symmetric RTP: a caller behind NAT, or a
	// UA that announces one address and sends from another).
	remote  *net.UDPAddr
	latched bool
	prompt  []byte // mu-law left to play
	played  chan struct{}
	sink    callerAudio
	room    roomAudio
}

// listenRTP opens a UDP port for one call in [lo, hi] on ip.
func listenRTP(ip net.IP, lo, hi int) (*net.UDPConn, error) {
	start := lo
	if hi > lo {
		var b [2]byte
		_, _ = rand.Read(b[:])
		start = lo + int(binary.BigEndian.Uint16(b[:]))%(hi-lo+1)
	}
	for i := 0; i <= hi-lo; i++ {
		port := lo + (start-lo+i)%(hi-lo+1)
		if port%2 == 1 { // RTP takes even ports (RFC 3550)
			continue
		}
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
		if err == nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("dialin: no free RTP port in %d-%d", lo, hi)
}

func newMedia(conn *net.UDPConn, o offer, peer net.IP, toRoom *atomic.Int64) *media {
	return &media{conn: conn, remote: o.addr, offer: o, peer: peer, keys: make(chan byte, keyQueue), toRoom: toRoom}
}

// accept reports whether a packet's source is the caller: before
// latching, any port at the SDP's or the SIP peer's address; then only
// the latched address.
func (m *media) accept(from *net.UDPAddr) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.latched {
		return from.IP.Equal(m.remote.IP) && from.Port == m.remote.Port
	}
	if !from.IP.Equal(m.offer.addr.IP) && !from.IP.Equal(m.peer) {
		return false
	}
	m.remote, m.latched = from, true
	return true
}

func (m *media) dest() *net.UDPAddr {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.remote
}

// run serves the stream until ctx ends; it closes the socket.
func (m *media) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m.readLoop() }()
	m.writeLoop(ctx)
	_ = m.conn.Close()
	wg.Wait()
}

func (m *media) readLoop() {
	buf := make([]byte, maxRTP)
	ulaw := make([]byte, maxRTP)
	var dtmf dtmfReader
	var pkt rtp.Packet
	for {
		n, from, err := m.conn.ReadFromUDP(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil || !m.accept(from) {
			continue // RTP from the wrong address is dropped
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		switch {
		case m.offer.hasDTMF && pkt.PayloadType == m.offer.dtmfPT:
			if k, ok := dtmf.read(pkt.Timestamp, pkt.Payload); ok {
				select {
				case m.keys <- k:
				default: // storm: dropped
				}
			}
		case pkt.PayloadType == m.offer.codec.pt:
			m.fromCaller(pkt.Payload, ulaw)
		}
	}
}

// fromCaller hands the caller's audio to the room, as mu-law.
func (m *media) fromCaller(payload, scratch []byte) {
	m.mu.Lock()
	sink := m.sink
	m.mu.Unlock()
	if sink == nil || len(payload) == 0 {
		return
	}
	if m.offer.codec.pt == pcma.pt {
		out := scratch[:len(payload)]
		for i, b := range payload {
			out[i] = ulawEncode(alawDecode(b))
		}
		payload = out
	}
	sink.callerFrame(payload)
	m.toRoom.Add(1)
}

func (m *media) writeLoop(ctx context.Context) {
	var hdr [12]byte
	_, _ = rand.Read(hdr[:])
	seq, ts, ssrc := binary.BigEndian.Uint16(hdr[0:]), binary.BigEndian.Uint32(hdr[2:]), binary.BigEndian.Uint32(hdr[6:])
	pcm := make([]int16, frameSamples)
	out := make([]byte, 12+frameSamples)
	tick := time.NewTicker(frameTime)
	defer tick.Stop()
	first := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		m.nextFrame(pcm)
		p := rtp.Packet{Header: rtp.Header{Version: 2, Marker: first, PayloadType: m.offer.codec.pt,
			SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}}
		n, err := p.Header.MarshalTo(out)
		if err != nil {
			return
		}
		for i, s := range pcm {
			out[n+i] = m.offer.codec.encode(s)
		}
		_, _ = m.conn.WriteToUDP(out[:n+frameSamples], m.dest())
		seq++
		ts += frameSamples
		first = false
	}
}

// nextFrame fills pcm with the prompt being played, else the room, else
// silence.
func (m *media) nextFrame(pcm []int16) {
	m.mu.Lock()
	if len(m.prompt) > 0 {
		n := min(len(m.prompt), frameSamples)
		for i := range pcm {
			pcm[i] = 0
			if i < n {
				pcm[i] = ulawDecode(m.prompt[i])
			}
		}
		m.prompt = m.prompt[n:]
		if len(m.prompt) == 0 && m.played != nil {
			close(m.played)
			m.played = nil
		}
		m.mu.Unlock()
		return
	}
	room := m.room
	m.mu.Unlock()
	if room == nil {
		clear(pcm)
		return
	}
	room.next(pcm)
}

// play queues a prompt in place of whatever plays; the channel closes when
// it has been sent, or when another prompt or a key cuts it short.
func (m *media) play(ulaw []byte) <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.played != nil {
		close(m.played)
	}
	done := make(chan struct{})
	if len(ulaw) == 0 {
		close(done)
		m.played, m.prompt = nil, nil
		return done
	}
	m.prompt, m.played = ulaw, done
	return done
}

// stopPrompt cuts the prompt short (the caller started typing).
func (m *media) stopPrompt() { m.play(nil) }

// connect routes audio between the call and the room (nil, nil: apart).
func (m *media) connect(sink callerAudio, room roomAudio) {
	m.mu.Lock()
	m.sink, m.room = sink, room
	m.mu.Unlock()
}
