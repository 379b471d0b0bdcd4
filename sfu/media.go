package sfu

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// audioLevelURI is the RFC 6464 header extension the active-speaker
// detector reads.
const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// udpBufferBytes is the kernel buffer asked for on the media socket.
const udpBufferBytes = 8 << 20

type codecEntry struct {
	p    webrtc.RTPCodecParameters
	kind webrtc.RTPCodecType
}

// serverCodecs lists the codecs the server accepts, in the order it offers
// them. RTX is left out on purpose: retransmissions then travel on the
// media SSRC (NACK still works) and Pion cannot mistake an early RTX packet
// for the track's codec.
func serverCodecs() []codecEntry {
	videoFB := []webrtc.RTCPFeedback{
		{Type: "goog-remb"}, {Type: "transport-cc"},
		{Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"},
	}
	return []codecEntry{
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine:  "minptime=10;useinbandfec=1;usedtx=1",
			RTCPFeedback: []webrtc.RTCPFeedback{{Type: "transport-cc"}},
		}, PayloadType: 111}, webrtc.RTPCodecTypeAudio},
		// PCMU is what telephone callers publish (sfu/dialin): browsers
		// decode it natively, so a caller's audio reaches them untouched.
		// Listed after Opus, so browsers still send Opus.
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypePCMU, ClockRate: 8000,
		}, PayloadType: 0}, webrtc.RTPCodecTypeAudio},
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFB,
		}, PayloadType: 96}, webrtc.RTPCodecTypeVideo},
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0", RTCPFeedback: videoFB,
		}, PayloadType: 98}, webrtc.RTPCodecTypeVideo},
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeH264, ClockRate: 90000, RTCPFeedback: videoFB,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
		}, PayloadType: 102}, webrtc.RTPCodecTypeVideo},
	}
}

// videoCodecsFirst returns the video codecs with the named one (VP8, VP9
// or H264) first; a browser answering the offer sends the first codec of
// the offer's list it supports, whatever its own preferences.
func videoCodecsFirst(name string) []webrtc.RTPCodecParameters {
	var first, rest []webrtc.RTPCodecParameters
	for _, c := range serverCodecs() {
		switch {
		case c.kind != webrtc.RTPCodecTypeVideo:
		case strings.EqualFold(c.p.MimeType, "video/"+name):
			first = append(first, c.p)
		default:
			rest = append(rest, c.p)
		}
	}
	return append(first, rest...)
}

// validVideoCodec reports whether a client may ask to publish in name.
func validVideoCodec(name string) bool {
	switch strings.ToUpper(name) {
	case "", "VP8", "VP9", "H264":
		return true
	}
	return false
}

// newMediaEngine registers the codecs the server accepts.
func newMediaEngine() (*webrtc.MediaEngine, error) {
	m := &webrtc.MediaEngine{}
	codecs := serverCodecs()
	for _, c := range codecs {
		if err := m.RegisterCodec(c.p, c.kind); err != nil {
			return nil, fmt.Errorf("sfu: register codec %s: %w", c.p.MimeType, err)
		}
	}
	ext := webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}
	if err := m.RegisterHeaderExtension(ext, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("sfu: register audio level: %w", err)
	}
	return m, nil
}

// transport holds the sockets every PeerConnection shares.
type transport struct {
	udpAddrs []net.Addr // where the media port listens
	udpMux   ice.UDPMux
	tcp      net.Listener
	tcpMux   ice.TCPMux
	// loopback is set when the media port listens on 127.0.0.1 only; the
	// loopback candidate must then be announced.
	loopback bool
}

func (t *transport) Close() error {
	var errs []error
	if t.udpMux != nil {
		errs = append(errs, t.udpMux.Close())
	}
	if t.tcpMux != nil {
		errs = append(errs, t.tcpMux.Close())
	}
	return errors.Join(errs...)
}

// listenUDP opens the media port. Loopback-only servers (tests) listen on
// 127.0.0.1. Others listen on the port at each of the machine's IPv4
// addresses rather than on the wildcard address: a reply from a wildcard
// socket leaves from whatever address the kernel's routing picks, which on
// a machine with several addresses can differ from the candidate the client
// was sent to, and the client then drops it. A machine with no IPv4
// address but loopback (an offline laptop, a test box) listens on
// 127.0.0.1, so that browsers on the machine itself still get media.
// Loopback is not added beside real addresses: every member's browser would
// be handed a 127.0.0.1 candidate that points at its own machine.
func listenUDP(cfg Config, logs pionLogs) (*transport, error) {
	if cfg.LoopbackOnly {
		return listenLoopbackUDP(cfg, logs)
	}
	mux, err := ice.NewMultiUDPMuxFromPort(cfg.UDPPort,
		ice.UDPMuxFromPortWithNetworks(ice.NetworkTypeUDP4),
		ice.UDPMuxFromPortWithReadBufferSize(udpBufferBytes),
		ice.UDPMuxFromPortWithWriteBufferSize(udpBufferBytes),
		ice.UDPMuxFromPortWithLogger(logs.NewLogger("udpmux")))
	if err != nil {
		return nil, fmt.Errorf("sfu: listen udp %d: %w", cfg.UDPPort, err)
	}
	addrs := mux.GetListenAddresses()
	if len(addrs) == 0 {
		_ = mux.Close()
		logs.log.Warn("media reachable from this machine only: it has no IPv4 address besides loopback")
		return listenLoopbackUDP(cfg, logs)
	}
	return &transport{udpAddrs: addrs, udpMux: mux}, nil
}

// listenLoopbackUDP opens the media port at 127.0.0.1.
func listenLoopbackUDP(cfg Config, logs pionLogs) (*transport, error) {
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: cfg.UDPPort})
	if err != nil {
		return nil, fmt.Errorf("sfu: listen udp %d: %w", cfg.UDPPort, err)
	}
	// Every participant's media shares this socket: ask for large kernel
	// buffers (capped by net.core.rmem_max/wmem_max) so bursts are not dropped.
	_ = udp.SetReadBuffer(udpBufferBytes)
	_ = udp.SetWriteBuffer(udpBufferBytes)
	mux := webrtc.NewICEUDPMux(logs.NewLogger("udpmux"), udp)
	return &transport{udpAddrs: []net.Addr{udp.LocalAddr()}, udpMux: mux, loopback: true}, nil
}

// mediaSetup holds what every PeerConnection shares: the ICE sockets and
// address settings. Each PeerConnection gets an API of its own (newAPI);
// its bandwidth estimator is on the Peer (bwe.go).
type mediaSetup struct {
	se   webrtc.SettingEngine
	logs pionLogs
}

// newMedia opens the shared ICE sockets and applies the address settings.
func newMedia(cfg Config, log *slog.Logger, met *metrics) (*mediaSetup, *transport, error) {
	logs := newPionLogs(log)
	se := webrtc.SettingEngine{LoggerFactory: logs}
	tr, err := listen(cfg, &se, logs, met.dropped.WithLabelValues("tcp"))
	if err != nil {
		return nil, nil, err
	}
	if len(cfg.PublicIPs) > 0 {
		se.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	if tr.loopback {
		se.SetIncludeLoopbackCandidate(true)
	}
	if cfg.LoopbackOnly {
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() && ip.To4() != nil })
		se.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	}
	return &mediaSetup{se: se, logs: logs}, tr, nil
}

// newAPI builds one PeerConnection's Pion API: codecs, simulcast header
// extensions, interceptors (addInterceptors) and the shared sockets.
func (ms *mediaSetup) newAPI() (*webrtc.API, error) {
	m, err := newMediaEngine()
	if err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureSimulcastExtensionHeaders(m); err != nil {
		return nil, fmt.Errorf("sfu: simulcast extensions: %w", err)
	}
	reg := &interceptor.Registry{}
	if err := addInterceptors(m, reg, ms.logs); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg),
		webrtc.WithSettingEngine(ms.se)), nil
}

// addInterceptors registers the Pion interceptors for what the server
// receives: NACKs for lost packets, receiver reports and TWCC feedback to
// each publisher. Nothing wraps what it sends: downTrack.send numbers the
// packets for the bandwidth estimate, keeps video for NACKs and counts
// for sender reports itself, without the maps, locks and copies Pion's
// per-stream interceptors cost on every forwarded packet (bwe.go,
// resend.go, report.go). Pion's stats interceptor is left out too: the
// server never reads getStats, and it parsed every RTCP packet a second
// time, which cost a fifth of the server's CPU under load.
func addInterceptors(m *webrtc.MediaEngine, reg *interceptor.Registry, logs pionLogs) error {
	gen, err := nack.NewGeneratorInterceptor(nack.WithGeneratorLoggerFactory(logs))
	if err != nil {
		return fmt.Errorf("sfu: nack: %w", err)
	}
	reg.Add(gen)
	rr, err := report.NewReceiverInterceptor(report.WithReceiverLoggerFactory(logs))
	if err != nil {
		return fmt.Errorf("sfu: receiver reports: %w", err)
	}
	reg.Add(rr)
	// Registers the transport-wide sequence number extension both ways.
	if err := webrtc.ConfigureTWCCSenderWithOptions(m, reg, twcc.WithLoggerFactory(logs)); err != nil {
		return fmt.Errorf("sfu: twcc feedback: %w", err)
	}
	return nil
}

// listen opens the single UDP port and the optional ICE-TCP port.
// ICE-TCP connections write through bounded queues (tcpconn.go) whose
// drops count in dropped.
func listen(cfg Config, se *webrtc.SettingEngine, logs pionLogs, dropped prometheus.Counter) (*transport, error) {
	host := ""
	if cfg.LoopbackOnly {
		host = "127.0.0.1"
	}
	tr, err := listenUDP(cfg, logs)
	if err != nil {
		return nil, err
	}
	se.SetICEUDPMux(tr.udpMux)
	types := []webrtc.NetworkType{webrtc.NetworkTypeUDP4}
	if cfg.TCPPort > 0 {
		tcp, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.ParseIP(host), Port: cfg.TCPPort})
		if err != nil {
			_ = tr.Close()
			return nil, fmt.Errorf("sfu: listen tcp %d: %w", cfg.TCPPort, err)
		}
		tr.tcp = tcp
		tr.tcpMux = webrtc.NewICETCPMux(logs.NewLogger("tcpmux"), boundedListener{Listener: tcp, dropped: dropped}, 8)
		se.SetICETCPMux(tr.tcpMux)
		types = append(types, webrtc.NetworkTypeTCP4)
	}
	se.SetNetworkTypes(types)
	return tr, nil
}
