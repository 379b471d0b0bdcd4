package dialin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/coder/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/opus"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

const (
	audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
	browserCookie = "hearth_browser" // sfu.BrowserCookie: the identity a removal bars
	// CallerHeader carries the caller's key (the calling number's salted
	// hash) on the gateway's signaling request; cmd believes it only on the
	// gateway's own listener, where it makes each caller a source of its
	// own at the media server's verify gate.
	CallerHeader = "Hearth-Caller"
	maxMessage   = 1 << 20
	noticeQueue  = 8
)

// refusal is the room's answer to a join it turned down (an sfu error
// code: bad-passcode (a wrong PIN), locked, barred, ended...).
type refusal struct{ code string }

func (r *refusal) Error() string { return "dialin: join refused: " + r.code }

// joinRequest is what a caller brings to the room.
type joinRequest struct {
	room, name, pin string
	identity        string // 32 hex digits: the caller's bar key
	cookie          string // its signaling cookie (Config.Cookie of identity)
	onWaiting       func() // the caller waits for a chair
}

// member is the caller's seat in the room: a Pion client of the SFU's own
// signaling, exactly as a browser would be, publishing the caller's audio
// as PCMU and receiving everyone else's.
type member struct {
	ws     *websocket.Conn
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticRTP
	mix    *mixer
	id     string
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	wmu     sync.Mutex // serializes websocket writes
	sender  *webrtc.RTPSender
	levelID uint8 // negotiated audio-level extension id; set before audio flows

	// out is owned by the media reader goroutine (callerFrame).
	seq uint16
	ts  uint32

	// notices carries what the caller should hear about ("muted",
	// "unmuted", "not-allowed"); full: dropped.
	notices chan string
	// ended is closed when the room lets the caller go (removed, ended,
	// the socket closed); reason says why.
	ended  chan struct{}
	reason string
	audio  bool // last audio permission, owned by the read loop
}

// webrtcAPI builds the Pion API every member uses: Opus (what browsers
// send) and PCMU (what the gateway and other callers send), with the
// audio-level extension the SFU's speaker detector reads.
func webrtcAPI(loopback bool) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0},
	} {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("dialin: codec: %w", err)
		}
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("dialin: audio level: %w", err)
	}
	reg := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, reg); err != nil {
		return nil, fmt.Errorf("dialin: interceptors: %w", err)
	}
	// Pion's own log names ICE addresses; the gateway's link is local and
	// its failures show as a refused or dropped call.
	quiet := logging.NewDefaultLoggerFactory()
	quiet.DefaultLogLevel = logging.LogLevelDisabled
	se := webrtc.SettingEngine{LoggerFactory: quiet}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetInterfaceFilter(func(n string) bool { return n == "lo" })
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

type wireMsg struct {
	Type      string                   `json:"type"`
	Code      string                   `json:"code"`
	ID        string                   `json:"id"`
	SDP       string                   `json:"sdp"`
	Candidate *webrtc.ICECandidateInit `json:"candidate"`
	Event     string                   `json:"event"`
	Subject   string                   `json:"subject"`
	Reason    string                   `json:"reason"`
	Perms     *struct{ Audio bool }    `json:"perms"`
	URL       string                   `json:"url"`
}

// redirected is the answer of a node that does not run the room: its
// signaling is at url (sfu's redirect message, then close 4005).
type redirected struct{ url string }

func (r *redirected) Error() string { return "dialin: the room runs on another node" }

// maxRedirects bounds how often one join follows its room to another node:
// once is the rule (the node that runs it answers), more only while a
// room changes node.
const maxRedirects = 3

// joinRoom opens the caller's seat, following the room to the node that
// runs it when several share the meetings; a *refusal when the room says
// no.
func joinRoom(ctx context.Context, api *webrtc.API, signalURL string, req joinRequest) (*member, error) {
	for i := 0; ; i++ {
		m, err := joinAt(ctx, api, signalURL, req)
		var r *redirected
		if !errors.As(err, &r) {
			return m, err
		}
		if i == maxRedirects {
			return nil, fmt.Errorf("dialin: sent on %d times: %w", i+1, err)
		}
		signalURL = r.url
	}
}

// joinAt tries the join at one node's signaling URL.
func joinAt(ctx context.Context, api *webrtc.API, signalURL string, req joinRequest) (*member, error) {
	hdr := http.Header{}
	hdr.Set("Cookie", browserCookie+"="+req.cookie)
	hdr.Set(CallerHeader, req.identity)
	ws, _, err := websocket.Dial(ctx, signalURL, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, fmt.Errorf("dialin: signaling: %w", err)
	}
	ws.SetReadLimit(maxMessage)
	m := &member{ws: ws, mix: newMixer(), notices: make(chan string, noticeQueue), ended: make(chan struct{}), audio: true}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if m.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		m.close()
		return nil, fmt.Errorf("dialin: peer connection: %w", err)
	}
	m.track, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, "audio", "phone")
	if err != nil {
		m.close()
		return nil, fmt.Errorf("dialin: track: %w", err)
	}
	m.setupPC()
	if err := m.handshake(ctx, req); err != nil {
		m.close()
		return nil, err
	}
	m.wg.Add(1)
	go func() { defer m.wg.Done(); m.readLoop() }()
	return m, m.send(map[string]any{"type": "control-state"})
}

// handshake sends join and reads until joined, passing through the
// waiting room.
func (m *member) handshake(ctx context.Context, req joinRequest) error {
	join := map[string]any{"type": "join", "room": req.room, "name": req.name, "audioOnly": true}
	if req.pin != "" {
		join["auth"] = map[string]string{"phonePin": req.pin}
	}
	if err := m.send(join); err != nil {
		return err
	}
	code := ""
	for {
		var msg wireMsg
		if err := m.read(ctx, &msg); err != nil {
			if code != "" {
				return &refusal{code: code}
			}
			return err
		}
		switch {
		case msg.Type == "redirect":
			if !strings.HasPrefix(msg.URL, "ws://") && !strings.HasPrefix(msg.URL, "wss://") {
				return fmt.Errorf("dialin: redirect to %q", msg.URL)
			}
			return &redirected{url: msg.URL}
		case msg.Type == "joined":
			m.id = msg.ID
			return nil
		case msg.Type == "error":
			code = msg.Code
		case msg.Type == "control" && msg.Event == "waiting" && req.onWaiting != nil:
			req.onWaiting()
		case msg.Type == "control" && msg.Event == "admitted":
			if err := m.send(map[string]string{"type": "ready"}); err != nil {
				return err
			}
		case msg.Type == "control" && msg.Event == "disconnect":
			code = msg.Reason
		}
	}
}

func (m *member) read(ctx context.Context, v *wireMsg) error {
	_, b, err := m.ws.Read(ctx)
	if err != nil {
		return fmt.Errorf("dialin: signaling read: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("dialin: signaling message: %w", err)
	}
	return nil
}

func (m *member) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("dialin: encode: %w", err)
	}
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if err := m.ws.Write(m.ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("dialin: signaling write: %w", err)
	}
	return nil
}

func (m *member) setupPC() {
	m.pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			_ = m.send(map[string]any{"type": "candidate", "candidate": c.ToJSON()})
		}
	})
	m.pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if t.Kind() != webrtc.RTPCodecTypeAudio {
			return
		}
		m.wg.Add(1)
		go func() { defer m.wg.Done(); m.listen(t) }()
	})
}

// listen decodes one speaker into the mixer: Opus straight to 8 kHz with
// the pure-Go decoder, PCMU (another caller) as is.
func (m *member) listen(t *webrtc.TrackRemote) {
	sp := m.mix.add()
	defer m.mix.remove(sp)
	opusCodec := strings.EqualFold(t.Codec().MimeType, webrtc.MimeTypeOpus)
	dec, err := opus.NewDecoderWithOutput(8000, 1)
	if err != nil {
		return
	}
	pcm := make([]int16, 8000*120/1000) // the longest Opus packet, 120 ms
	for {
		pkt, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		n := 0
		if opusCodec {
			if n, err = dec.DecodeToInt16(pkt.Payload, pcm); err != nil {
				continue
			}
		} else {
			for i, b := range pkt.Payload[:min(len(pkt.Payload), len(pcm))] {
				pcm[i] = ulawDecode(b)
				n = i + 1
			}
		}
		m.mix.push(sp, pcm[:n])
	}
}

// readLoop serves the session after joined: negotiation and the control
// events the caller must hear about.
func (m *member) readLoop() {
	defer m.finish()
	for {
		var msg wireMsg
		if err := m.read(m.ctx, &msg); err != nil {
			if m.reason == "" {
				m.reason = "closed"
			}
			return
		}
		switch msg.Type {
		case "offer":
			if err := m.answer(msg.SDP); err != nil {
				m.reason = "media"
				return
			}
		case "candidate":
			if msg.Candidate != nil {
				_ = m.pc.AddICECandidate(*msg.Candidate)
			}
		case "control":
			m.onControl(msg)
		case "error":
			m.onError(msg.Code)
		}
	}
}

func (m *member) onControl(msg wireMsg) {
	switch {
	case msg.Event == "disconnect" && (msg.Subject == "" || msg.Subject == m.id):
		m.reason = msg.Reason
	case msg.Event == "perms" && msg.Subject == m.id && msg.Perms != nil:
		if msg.Perms.Audio != m.audio {
			m.audio = msg.Perms.Audio
			m.notice(map[bool]string{true: "unmuted", false: "muted"}[m.audio])
		}
	}
}

func (m *member) onError(code string) {
	switch code {
	case "self-unmute-off", "not-admitted", "rate-limited":
		m.notice("not-allowed")
	}
}

func (m *member) notice(n string) {
	select {
	case m.notices <- n:
	default:
	}
}

func (m *member) finish() {
	close(m.ended)
}

// answer applies an offer; the first attaches the caller's track to the
// server's audio receive slot.
func (m *member) answer(sdp string) error {
	if err := m.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}); err != nil {
		return fmt.Errorf("dialin: offer: %w", err)
	}
	if m.sender == nil {
		s, err := m.pc.AddTrack(m.track)
		if err != nil {
			return fmt.Errorf("dialin: add track: %w", err)
		}
		m.wmu.Lock()
		m.sender = s
		m.wmu.Unlock()
		m.wg.Add(1)
		go func() { defer m.wg.Done(); drainRTCP(s) }()
	}
	ans, err := m.pc.CreateAnswer(nil)
	if err == nil {
		err = m.pc.SetLocalDescription(ans)
	}
	if err != nil {
		return fmt.Errorf("dialin: answer: %w", err)
	}
	m.wmu.Lock()
	for _, h := range m.sender.GetParameters().HeaderExtensions {
		if h.URI == audioLevelURI {
			m.levelID = uint8(h.ID)
		}
	}
	m.wmu.Unlock()
	return m.send(map[string]string{"type": "answer", "sdp": ans.SDP})
}

// drainRTCP reads the sender's RTCP so that Pion's interceptors run.
func drainRTCP(s *webrtc.RTPSender) {
	buf := make([]byte, maxRTP)
	for {
		if _, _, err := s.Read(buf); err != nil {
			return
		}
	}
}

// callerFrame publishes the caller's audio (mu-law) with its RFC 6464
// level, so the room's speaker detection and silence gate treat the
// caller like any browser.
func (m *member) callerFrame(ulaw []byte) {
	m.wmu.Lock()
	id := m.levelID
	m.wmu.Unlock()
	m.seq++
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: m.seq, Timestamp: m.ts}, Payload: ulaw}
	m.ts += uint32(len(ulaw))
	if id != 0 {
		_ = pkt.Header.SetExtension(id, []byte{audioLevel(ulaw)})
	}
	_ = m.track.WriteRTP(pkt)
}

// audioLevel is RFC 6464's level: -dBov, 0 loudest, 127 silence.
func audioLevel(ulaw []byte) byte {
	if len(ulaw) == 0 {
		return 127
	}
	var sum float64
	for _, b := range ulaw {
		s := float64(ulawDecode(b)) / 32768
		sum += s * s
	}
	rms := math.Sqrt(sum / float64(len(ulaw)))
	if rms < 1e-7 {
		return 127
	}
	return byte(min(127, max(0, -20*math.Log10(rms))))
}

// selfMute asks the room to close or reopen the caller's own audio.
func (m *member) selfMute(mute bool) error {
	t := "self-unmute"
	if mute {
		t = "self-mute"
	}
	return m.send(map[string]string{"type": t})
}

// hand raises or lowers the caller's hand.
func (m *member) hand(up bool) error {
	if up {
		return m.send(map[string]string{"type": "raise-hand"})
	}
	return m.send(map[string]string{"type": "lower-hand"})
}

// leave says goodbye to the room and frees everything.
func (m *member) leave() {
	_ = m.send(map[string]string{"type": "leave"})
	m.close()
}

func (m *member) close() {
	m.cancel()
	if m.pc != nil {
		_ = m.pc.Close()
	}
	_ = m.ws.CloseNow()
	m.wg.Wait()
}

var errHangup = errors.New("dialin: caller hung up")
