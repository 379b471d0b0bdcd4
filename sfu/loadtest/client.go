// Package loadtest drives an SFU with synthetic Pion participants over the
// real signaling protocol. Tests use its Client to check forwarding packet
// by packet; cmd/hearth-loadtest uses Run to measure a server.
package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/hearth-recovery/hearth/sfu"
)

// AudioLevelURI is the RFC 6464 header extension publishers can send.
const AudioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// Options configure a Client.
type Options struct {
	Room, Name string
	Audio      bool // publish a synthetic Opus track
	Video      bool // publish a synthetic VP8 track
	// Simulcast sends the video as three RID layers (q, h, f).
	Simulcast bool
	// Loopback restricts ICE to 127.0.0.1 (tests).
	Loopback bool
	// LocalIP, when set, restricts ICE to this IPv4 address of the
	// machine (UDP, no mDNS): the load tool's end of a veth pair to a
	// server in a network namespace of its own.
	LocalIP net.IP
	// PacketInterval spaces audio packets and video frames; 0 means
	// realistic rates (audio every 20 ms, video 30 frames/s).
	PacketInterval time.Duration
	// NACKRetries caps how often the client asks again for one lost
	// packet (browsers give up after about 10); 0 keeps Pion's default,
	// which asks every 100 ms for as long as the packet is missing.
	NACKRetries uint16
	// AcceptReplays lets packets the client already had through SRTP's
	// replay check, so that a test can see the server resend a packet that
	// was not really lost.
	AcceptReplays bool
	// TCPVia makes the client use ICE-TCP only, and reach the server's
	// TCP candidates at this host:port instead of theirs: a relay the test
	// controls, such as one that stops reading to play a congested link.
	TCPVia string
	// Auth is the join's auth object (passcode, hostKey...), when the
	// room asks for one.
	Auth map[string]string
	// BrowserID, when set, is presented as the browser cookie, as by a
	// browser that loaded the join page (bars and the limiter key on it).
	BrowserID string
	// LayerPackets is how many packets each simulcast layer sends per
	// frame, lowest first (at most 3; nil: 3 on every layer).
	LayerPackets []int
	// DTX makes a silent audio publisher (level 127) send one packet
	// every 400 ms, as Opus with DTX does, instead of every 20 ms.
	DTX bool
	// Receive is the join's receive field: "all", "speaker" or "none"
	// (empty: all), the video the client wants.
	Receive string
}

// Message is any server message, decoded loosely.
type Message struct {
	Type   string          `json:"type"`
	Code   string          `json:"code,omitempty"`
	ID     string          `json:"id,omitempty"`
	Name   string          `json:"name,omitempty"`
	Resume string          `json:"resume,omitempty"`
	On     []string        `json:"on,omitempty"`  // speakers
	Off    []string        `json:"off,omitempty"` // speakers
	Raw    json.RawMessage `json:"-"`
}

// Client is one synthetic participant.
type Client struct {
	ID, Name string
	// URL is the signaling URL the client joined at, after redirects.
	URL   string
	ws    *websocket.Conn
	pc    *webrtc.PeerConnection
	Audio *Publisher
	Video *Publisher
	Recv  *Receiver

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	// Events receives every server message except offers and candidates;
	// full: oldest messages are dropped.
	Events chan Message
	// mu serializes writes to ws and guards its replacement.
	mu       sync.Mutex
	room     string
	resume   string
	readDone chan struct{} // closed when the current read loop ends
	tcpVia   string        // Options.TCPVia
}

func newAPI(o Options) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		return nil, fmt.Errorf("loadtest: codecs: %w", err)
	}
	ext := webrtc.RTPHeaderExtensionCapability{URI: AudioLevelURI}
	if err := m.RegisterHeaderExtension(ext, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("loadtest: audio level: %w", err)
	}
	if err := webrtc.ConfigureSimulcastExtensionHeaders(m); err != nil {
		return nil, fmt.Errorf("loadtest: simulcast extensions: %w", err)
	}
	// What a browser does on the network (NACKs, RTCP reports, TWCC
	// feedback), without Pion's stats interceptor: nobody reads it, and it
	// took a tenth of the load generator's CPU, which is the limit of the
	// largest room this machine can load.
	reg := &interceptor.Registry{}
	var gen []nack.GeneratorOption
	if o.NACKRetries > 0 {
		gen = append(gen, nack.GeneratorMaxNacksPerPacket(o.NACKRetries))
	}
	if err := webrtc.ConfigureNackWithOptions(m, reg, gen); err != nil {
		return nil, fmt.Errorf("loadtest: nack: %w", err)
	}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, fmt.Errorf("loadtest: rtcp reports: %w", err)
	}
	if err := webrtc.ConfigureTWCCSender(m, reg); err != nil {
		return nil, fmt.Errorf("loadtest: twcc: %w", err)
	}
	se := webrtc.SettingEngine{}
	se.DisableSRTPReplayProtection(o.AcceptReplays)
	if o.Loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetInterfaceFilter(func(n string) bool { return n == "lo" })
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
	} else if o.LocalIP != nil {
		se.SetIPFilter(func(ip net.IP) bool { return ip.Equal(o.LocalIP) })
	}
	if o.Loopback || o.LocalIP != nil {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
	if o.TCPVia != "" {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
		// A relay that stops reading also holds back the server's ICE
		// answers: the client must not give up on the connection meanwhile.
		se.SetICETimeouts(time.Minute, time.Hour, 2*time.Second)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// maxRedirects bounds how many nodes a join is sent on to.
const maxRedirects = 4

// Dial joins a room at the signaling URL (ws://...) and waits for the
// joined reply, following redirects to the node that runs the room (URL
// is where it landed). Publishing starts when the media connects.
func Dial(ctx context.Context, url string, o Options) (*Client, error) {
	api, err := newAPI(o)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("loadtest: peer connection: %w", err)
	}
	c := &Client{pc: pc, Recv: newReceiver(), Events: make(chan Message, 256), tcpVia: o.TCPVia}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if err := c.setup(o); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.connect(ctx, url, o); err != nil {
		c.Close()
		return nil, err
	}
	c.startReading()
	return c, nil
}

// connect opens the signaling socket at url and joins, following redirects.
func (c *Client) connect(ctx context.Context, url string, o Options) error {
	for hops := 0; ; hops++ {
		var opts *websocket.DialOptions
		if o.BrowserID != "" {
			opts = &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {sfu.BrowserCookie + "=" + o.BrowserID}}}
		}
		ws, _, err := websocket.Dial(ctx, url, opts)
		if err != nil {
			return fmt.Errorf("loadtest: dial: %w", err)
		}
		ws.SetReadLimit(1 << 20)
		c.mu.Lock()
		c.ws = ws
		c.mu.Unlock()
		err = c.join(ctx, o)
		var moved *Redirect
		if !errors.As(err, &moved) || hops == maxRedirects {
			c.URL = url
			return err
		}
		_ = ws.CloseNow()
		url = moved.URL
	}
}

// Redirect is a join sent on to the node that runs the room.
type Redirect struct{ URL string }

func (r *Redirect) Error() string { return "loadtest: redirected to " + r.URL }

func (c *Client) startReading() {
	done := make(chan struct{})
	c.readDone = done
	c.wg.Add(1)
	go func() { defer close(done); c.readLoop() }()
}

// DropSignaling closes the WebSocket without a close frame, as a lost
// network would; the PeerConnection stays.
func (c *Client) DropSignaling() {
	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	_ = ws.CloseNow()
	<-c.readDone
}

// Resume reconnects the signaling with the resume token from the joined
// reply and waits for the new joined reply.
func (c *Client) Resume(ctx context.Context, url string) error {
	if err := c.connect(ctx, url, Options{Room: c.room, Name: c.Name}); err != nil {
		return err
	}
	c.startReading()
	return nil
}

func (c *Client) setup(o Options) error {
	c.pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil {
			_ = c.Send(map[string]any{"type": "candidate", "candidate": cand.ToJSON()})
		}
	})
	c.pc.OnTrack(func(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
		var level uint8
		for _, h := range r.GetParameters().HeaderExtensions {
			if h.URI == AudioLevelURI {
				level = uint8(h.ID)
			}
		}
		c.wg.Add(2)
		go func() { defer c.wg.Done(); c.Recv.read(t, level) }()
		go func() { defer c.wg.Done(); c.Recv.readReports(t, r) }()
	})
	var err error
	if o.Audio {
		if c.Audio, err = newPublisher(c, false, false, o.PacketInterval); err != nil {
			return err
		}
		c.Audio.dtx.Store(o.DTX)
	}
	if o.Video {
		if c.Video, err = newPublisher(c, true, o.Simulcast, o.PacketInterval); err != nil {
			return err
		}
		c.Video.layerPackets = o.LayerPackets
	}
	return nil
}

func (c *Client) join(ctx context.Context, o Options) error {
	msg := map[string]any{"type": "join", "room": o.Room, "name": o.Name}
	if o.Auth != nil {
		msg["auth"] = o.Auth
	}
	if c.resume != "" {
		msg["resume"] = c.resume
	}
	if o.Receive != "" {
		msg["receive"] = o.Receive
	}
	if err := c.Send(msg); err != nil {
		return err
	}
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return fmt.Errorf("loadtest: read joined: %w", err)
	}
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("loadtest: decode joined: %w", err)
	}
	if m.Type == "redirect" {
		var r struct{ URL string }
		_ = json.Unmarshal(b, &r)
		return &Redirect{URL: r.URL}
	}
	if m.Type != "joined" {
		return fmt.Errorf("loadtest: join refused: %s %s", m.Type, m.Code)
	}
	c.ID, c.Name, c.room, c.resume = m.ID, m.Name, o.Room, m.Resume
	return nil
}

// Send writes one JSON message to the server.
func (c *Client) Send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("loadtest: encode: %w", err)
	}
	return c.SendRaw(b)
}

// SendRaw writes bytes as one text message (tests send garbage with it).
func (c *Client) SendRaw(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.Write(c.ctx, websocket.MessageText, b)
}

func (c *Client) readLoop() {
	defer c.wg.Done()
	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	for {
		_, b, err := ws.Read(c.ctx)
		if err != nil {
			c.event(Message{Type: "closed", Code: fmt.Sprint(websocket.CloseStatus(err))})
			return
		}
		var m Message
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		m.Raw = b
		if err := c.handle(m); err != nil {
			c.event(Message{Type: "client-error", Code: err.Error()})
		}
	}
}

func (c *Client) event(m Message) {
	for {
		select {
		case c.Events <- m:
			return
		default:
			select {
			case <-c.Events:
			default:
			}
		}
	}
}

func (c *Client) handle(m Message) error {
	switch m.Type {
	case "offer":
		var o struct{ SDP string }
		_ = json.Unmarshal(m.Raw, &o)
		return c.answer(c.viaRelay(o.SDP))
	case "candidate":
		var o struct{ Candidate webrtc.ICECandidateInit }
		_ = json.Unmarshal(m.Raw, &o)
		o.Candidate.Candidate = c.viaRelay(o.Candidate.Candidate)
		return c.pc.AddICECandidate(o.Candidate)
	default:
		c.event(m)
		return nil
	}
}

// answer applies an offer; on the first one the publishers attach to the
// server's receive slots.
func (c *Client) answer(sdp string) error {
	err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp})
	if err != nil {
		return fmt.Errorf("loadtest: offer: %w", err)
	}
	for _, p := range []*Publisher{c.Audio, c.Video} {
		if p != nil && p.sender == nil {
			if err := p.attach(); err != nil {
				return err
			}
		}
	}
	ans, err := c.pc.CreateAnswer(nil)
	if err == nil {
		err = c.pc.SetLocalDescription(ans)
	}
	if err != nil {
		return fmt.Errorf("loadtest: answer: %w", err)
	}
	return c.Send(map[string]any{"type": "answer", "sdp": answerSDP(ans.SDP)})
}

// viaRelay points the server's TCP candidates in an offer or candidate
// line at Options.TCPVia.
func (c *Client) viaRelay(text string) string {
	if c.tcpVia == "" {
		return text
	}
	host, port, err := net.SplitHostPort(c.tcpVia)
	if err != nil {
		return text
	}
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		// candidate:<foundation> <component> <protocol> <priority> <address> <port> typ ...
		f := strings.Fields(l)
		if len(f) > 6 && strings.Contains(f[0], "candidate:") && strings.EqualFold(f[2], "tcp") {
			f[4], f[5] = host, port
			lines[i] = strings.Join(f, " ") + l[len(strings.TrimRight(l, "\r\n")):]
		}
	}
	return strings.Join(lines, "")
}

// answerSDP drops the simulcast receive attributes Pion copies from an
// offer into its answer: this client never receives simulcast, and it
// declares what it sends (rid ... send) itself.
func answerSDP(sdp string) string {
	lines := strings.SplitAfter(sdp, "\n")
	out := lines[:0]
	for _, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(t, "a=simulcast:recv") || (strings.HasPrefix(t, "a=rid:") && strings.HasSuffix(t, " recv")) {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

// Close leaves abruptly (no leave message) and waits for the client's
// goroutines.
func (c *Client) Close() {
	c.cancel()
	for _, p := range []*Publisher{c.Audio, c.Video} {
		if p != nil {
			p.stop()
		}
	}
	_ = c.pc.Close()
	c.mu.Lock()
	if c.ws != nil {
		_ = c.ws.CloseNow()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// Leave sends a leave message, then closes.
func (c *Client) Leave() {
	_ = c.Send(map[string]any{"type": "leave"})
	c.Close()
}

// Connected reports whether the media connection is up.
func (c *Client) Connected() bool {
	return c.pc.ConnectionState() == webrtc.PeerConnectionStateConnected
}

// WriteRTCP sends RTCP to the server on the media connection, as a
// misbehaving or lossy client would (tests of the server's answers).
func (c *Client) WriteRTCP(pkts []rtcp.Packet) error {
	if err := c.pc.WriteRTCP(pkts); err != nil {
		return fmt.Errorf("loadtest: write rtcp: %w", err)
	}
	return nil
}

// LocalPort is the UDP port of the media connection's selected local
// candidate (tests shape the traffic sent to it), or 0 before ICE has
// chosen a pair.
func (c *Client) LocalPort() int {
	pair, err := c.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil || pair.Local == nil {
		return 0
	}
	return int(pair.Local.Port)
}

// ICECredentials returns the ICE usernames and passwords of both ends of
// the media connection, as the current descriptions carry them (tests
// check that none reaches a log).
func (c *Client) ICECredentials() []string {
	var out []string
	for _, d := range []*webrtc.SessionDescription{c.pc.CurrentLocalDescription(), c.pc.CurrentRemoteDescription()} {
		if d == nil {
			continue
		}
		for line := range strings.Lines(d.SDP) {
			line = strings.TrimSpace(line)
			for _, attr := range []string{"a=ice-ufrag:", "a=ice-pwd:"} {
				if v, ok := strings.CutPrefix(line, attr); ok {
					out = append(out, v)
				}
			}
		}
	}
	return out
}
