package dialin

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// browser is a Pion participant that behaves like a browser: it publishes
// Opus (a 660 Hz tone encoded by libopus) and decodes what it receives,
// counting the frames where a tone is heard.
type browser struct {
	ws     *websocket.Conn
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticRTP
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wmu    sync.Mutex
	id     string
	sender *webrtc.RTPSender

	heard    atomic.Int64 // frames of tone heard from phone callers
	packets  atomic.Int64 // audio packets received
	controls chan map[string]any
}

const toneHz = 1000 // what the phone sends; the browser sends 660 Hz

func joinBrowser(t testing.TB, h *harness, room, hostKey, passcode string, opusPkts [][]byte) *browser {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	api, err := webrtcAPI(true)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.Dial(ctx, h.signal, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(maxMessage)
	b := &browser{ws: ws, controls: make(chan map[string]any, 256)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	if b.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		t.Fatal(err)
	}
	b.track, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "browser")
	b.pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			b.send(map[string]any{"type": "candidate", "candidate": c.ToJSON()})
		}
	})
	b.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { b.wg.Add(1); go b.listen(tr) })
	auth := map[string]string{}
	if hostKey != "" {
		auth["hostKey"] = hostKey
	}
	if passcode != "" {
		auth["passcode"] = passcode
	}
	b.send(map[string]any{"type": "join", "room": room, "name": "Browser", "auth": auth, "audioOnly": true})
	for {
		var m wireMsg
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("browser join: %v", err)
		}
		_ = json.Unmarshal(data, &m)
		if m.Type == "joined" {
			b.id = m.ID
			break
		}
		if m.Type == "error" {
			t.Fatalf("browser join refused: %s", m.Code)
		}
	}
	b.wg.Add(2)
	go b.readLoop()
	go b.publish(opusPkts)
	b.send(map[string]string{"type": "control-state"})
	t.Cleanup(b.close)
	return b
}

func (b *browser) send(v any) {
	data, _ := json.Marshal(v)
	b.wmu.Lock()
	defer b.wmu.Unlock()
	_ = b.ws.Write(b.ctx, websocket.MessageText, data)
}

func (b *browser) readLoop() {
	defer b.wg.Done()
	for {
		_, data, err := b.ws.Read(b.ctx)
		if err != nil {
			return
		}
		var m wireMsg
		_ = json.Unmarshal(data, &m)
		switch m.Type {
		case "offer":
			_ = b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: m.SDP})
			b.wmu.Lock()
			if b.sender == nil {
				b.sender, _ = b.pc.AddTrack(b.track)
			}
			b.wmu.Unlock()
			ans, _ := b.pc.CreateAnswer(nil)
			_ = b.pc.SetLocalDescription(ans)
			b.send(map[string]string{"type": "answer", "sdp": ans.SDP})
		case "candidate":
			if m.Candidate != nil {
				_ = b.pc.AddICECandidate(*m.Candidate)
			}
		case "control":
			var all map[string]any
			_ = json.Unmarshal(data, &all)
			select {
			case b.controls <- all:
			default:
			}
		}
	}
}

// publish loops the Opus packets, one every 20 ms.
func (b *browser) publish(pkts [][]byte) {
	defer b.wg.Done()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var seq uint16
	var ts uint32
	for i := 0; ; i++ {
		select {
		case <-b.ctx.Done():
			return
		case <-tick.C:
		}
		if len(pkts) == 0 {
			continue
		}
		seq++
		ts += 960
		_ = b.track.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts},
			Payload: pkts[i%len(pkts)]})
	}
}

// listen decodes a phone caller's PCMU and counts frames of its tone.
func (b *browser) listen(tr *webrtc.TrackRemote) {
	defer b.wg.Done()
	pcm := make([]int16, frameSamples)
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		b.packets.Add(1)
		if tr.Codec().MimeType != webrtc.MimeTypePCMU || len(pkt.Payload) != frameSamples {
			continue
		}
		for i, u := range pkt.Payload {
			pcm[i] = ulawDecode(u)
		}
		if toneFrames(pcm, toneHz) == 1 {
			b.heard.Add(1)
		}
	}
}

// control sends a chair control.
func (b *browser) control(typ, target string) {
	msg := map[string]string{"type": typ}
	if target != "" {
		msg["target"] = target
	}
	b.send(msg)
}

// waitControl returns the next control event named ev.
func (b *browser) waitControl(t testing.TB, ev string) map[string]any {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case m := <-b.controls:
			if m["event"] == ev {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s control event", ev)
		}
	}
}

// waitHeard waits until n more frames of the phone's tone arrive.
func (b *browser) waitHeard(t testing.TB, n int64) {
	t.Helper()
	target := b.heard.Load() + n
	deadline := time.Now().Add(30 * time.Second)
	for b.heard.Load() < target {
		if time.Now().After(deadline) {
			t.Fatalf("heard %d tone frames from the phone, want %d (%d packets)", b.heard.Load(), target, b.packets.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *browser) close() {
	b.cancel()
	_ = b.pc.Close()
	_ = b.ws.CloseNow()
	b.wg.Wait()
}
