// Package dialin is Hearth's telephone gateway: it answers SIP calls from
// a trunk, asks the caller for a meeting ID and PIN with spoken prompts
// (DTMF, RFC 4733), and seats each caller in the room as an ordinary
// participant of the SFU's own signaling, so that admission and every
// chair control apply to callers unchanged. Audio is G.711 towards the
// caller; the caller's audio is published to the room as PCMU, and the
// room's Opus is decoded in pure Go and mixed for the caller.
package dialin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/webrtc/v4"
)

// ErrUnknownMeeting is what a Directory returns for an ID no meeting has.
var ErrUnknownMeeting = errors.New("dialin: no meeting has that ID")

// Meeting is what the gateway needs to seat a caller.
type Meeting struct {
	Room     string // the SFU room id
	HasPIN   bool   // the room asks for a passcode: the caller types the phone PIN
	Language string // prompts' language, when the meeting names one
}

// Directory finds meetings by their phone meeting ID (digits only).
type Directory interface {
	Lookup(ctx context.Context, meetingID string) (Meeting, error)
}

// Config configures a Gateway.
type Config struct {
	// Listen is the SIP address (UDP and TCP), e.g. ":5060".
	Listen string
	// PublicIP is announced in SDP and Contact (the address trunks reach).
	PublicIP net.IP
	// RTPLow..RTPHigh is the UDP port range for calls' audio.
	RTPLow, RTPHigh int
	// AllowFrom lists the networks that may send calls; INVITEs from
	// elsewhere get 403. Empty: any address may try Auth.
	AllowFrom []netip.Prefix
	// Auth, when set, is the digest authentication every INVITE must
	// also pass (a 401 challenge first). With neither AllowFrom nor Auth
	// every call is refused.
	Auth *Digest
	// MaxCalls bounds simultaneous calls (default 100); more get 486.
	MaxCalls int
	// Directory finds meetings by phone meeting ID.
	Directory Directory
	// SignalURL is the SFU's signaling WebSocket (ws://127.0.0.1:port/path).
	SignalURL string
	// Cookie turns a caller's identity (the salted hash of the number, 32
	// hex digits) into the browser cookie the SFU accepts as a signed one
	// (sfu.Server.BrowserCookieFor), so that a removed caller stays barred
	// and a caller is counted as itself, not as the gateway's address. Nil
	// sends the bare identity, which the SFU counts as no cookie.
	Cookie func(identity string) string
	// Language of the prompts when the meeting names none: en, es, fr, pt.
	Language string
	// Loopback keeps the gateway's WebRTC on 127.0.0.1 (tests).
	Loopback bool
	// Observe, when set, hears each call's steps (tests wait on them).
	// It never receives the calling number.
	Observe func(Event)
}

// Event is one step of one call.
type Event struct {
	Call   uint64 // the gateway's own call number
	Kind   string // "answered", "prompt-done", "joined", "refused", "hangup"
	Detail string // prompt name, member id, refusal code
}

// maxCallsPerNumber bounds simultaneous calls from one calling number.
const maxCallsPerNumber = 2

// Gateway answers calls. Create it with New, run it with Serve.
type Gateway struct {
	cfg     Config
	log     *slog.Logger
	api     *webrtc.API
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	dialogs *sipgo.DialogServerCache
	key     [32]byte    // salts the calling-number hashes, per process
	auth    *digestAuth // nil: no digest authentication
	udp     net.PacketConn
	tcp     net.Listener
	toRoom  atomic.Int64 // caller audio frames handed to rooms
	// life ends every call when the gateway closes; live counts them.
	life context.Context
	stop context.CancelFunc
	live sync.WaitGroup

	mu      sync.Mutex // guards the fields below
	calls   int
	next    uint64
	byCall  map[string]int          // live calls per calling-number hash
	seats   map[string]map[int]bool // "Phone caller N" numbers in use, per room
	stopped bool
}

// New opens the SIP listeners.
func New(cfg Config, log *slog.Logger) (*Gateway, error) {
	if cfg.MaxCalls <= 0 {
		cfg.MaxCalls = 100
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Directory == nil || cfg.SignalURL == "" {
		return nil, errors.New("dialin: a directory and the signaling URL are required")
	}
	if cfg.RTPLow <= 0 || cfg.RTPHigh < cfg.RTPLow {
		return nil, fmt.Errorf("dialin: RTP port range %d-%d", cfg.RTPLow, cfg.RTPHigh)
	}
	g := &Gateway{cfg: cfg, log: log, byCall: map[string]int{}, seats: map[string]map[int]bool{}}
	g.life, g.stop = context.WithCancel(context.Background())
	_, _ = rand.Read(g.key[:])
	if cfg.Auth != nil {
		g.auth = newDigestAuth(*cfg.Auth)
	}
	var err error
	if g.api, err = webrtcAPI(cfg.Loopback); err != nil {
		return nil, err
	}
	if err := g.listen(); err != nil {
		return nil, err
	}
	if err := g.setupSIP(); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

func (g *Gateway) listen() error {
	host, port, err := net.SplitHostPort(g.cfg.Listen)
	if err != nil {
		return fmt.Errorf("dialin: listen %q: %w", g.cfg.Listen, err)
	}
	// TCP on the port UDP got: the same when Listen names one; with port 0
	// (tests) another try when TCP's twin is taken.
	for try := 0; ; try++ {
		udp, err := net.ListenPacket("udp", g.cfg.Listen)
		if err != nil {
			return fmt.Errorf("dialin: listen udp %s: %w", g.cfg.Listen, err)
		}
		got := strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port)
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, got))
		if err == nil {
			g.udp, g.tcp = udp, tcp
			break
		}
		_ = udp.Close()
		if port != "0" || try == 10 {
			return fmt.Errorf("dialin: listen tcp %s: %w", g.cfg.Listen, err)
		}
	}
	if g.cfg.PublicIP == nil {
		g.cfg.PublicIP = g.udp.LocalAddr().(*net.UDPAddr).IP
		if g.cfg.PublicIP.IsUnspecified() {
			g.cfg.PublicIP = outboundIP()
		}
	}
	return nil
}

// outboundIP is the machine's address for a gateway told none.
func outboundIP() net.IP {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP
		}
	}
	return net.IPv4(127, 0, 0, 1)
}

func (g *Gateway) setupSIP() error {
	var err error
	// sipgo logs messages' sources and headers (From carries the calling
	// number): it gets no logger, and stray responses are dropped
	// silently. The gateway logs what an operator needs, without them.
	quiet := slog.New(slog.DiscardHandler)
	g.ua, err = sipgo.NewUA(sipgo.WithUserAgent("Hearth"),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(quiet)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(quiet),
			sip.WithTransactionLayerUnhandledResponseHandler(func(*sip.Response) {})))
	if err != nil {
		return fmt.Errorf("dialin: sip: %w", err)
	}
	if g.srv, err = sipgo.NewServer(g.ua, sipgo.WithServerLogger(quiet)); err != nil {
		return fmt.Errorf("dialin: sip server: %w", err)
	}
	client, err := sipgo.NewClient(g.ua, sipgo.WithClientLogger(quiet))
	if err != nil {
		return fmt.Errorf("dialin: sip client: %w", err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "hearth",
		Host: g.cfg.PublicIP.String(), Port: g.Port()}}
	g.dialogs = sipgo.NewDialogServerCache(client, contact)
	g.srv.OnInvite(g.onInvite)
	g.srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = g.dialogs.ReadAck(req, tx) })
	g.srv.OnBye(g.onBye)
	g.srv.OnOptions(g.onOptions)
	g.srv.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		g.respond(req, tx, sip.StatusMethodNotAllowed, "Method Not Allowed")
	})
	return nil
}

// Serve answers calls until ctx ends.
func (g *Gateway) Serve(ctx context.Context) error {
	errs := make(chan error, 2)
	go func() { errs <- g.srv.ServeUDP(g.udp) }()
	go func() { errs <- g.srv.ServeTCP(g.tcp) }()
	select {
	case <-ctx.Done():
		g.Close()
		return nil
	case err := <-errs:
		g.Close()
		return fmt.Errorf("dialin: serve: %w", err)
	}
}

// Close hangs up every call (each caller hears goodbye's first words and
// a BYE), then stops listening.
func (g *Gateway) Close() {
	g.mu.Lock()
	stopped := g.stopped
	g.stopped = true
	g.mu.Unlock()
	if stopped {
		return
	}
	g.stop()
	g.live.Wait()
	if g.srv != nil {
		_ = g.srv.Close()
	}
	if g.ua != nil {
		_ = g.ua.Close()
	}
	_ = g.udp.Close()
	_ = g.tcp.Close()
}

// Port is the SIP port (UDP and TCP).
func (g *Gateway) Port() int { return g.udp.LocalAddr().(*net.UDPAddr).Port }

// allowed reports whether a request's source may place calls (or, with
// digest authentication, try to).
func (g *Gateway) allowed(source string) bool {
	if len(g.cfg.AllowFrom) == 0 {
		return g.auth != nil
	}
	ap, err := netip.ParseAddrPort(source)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range g.cfg.AllowFrom {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// numberKey is the calling number's salted hash: the only form in which
// the number is ever held (limiter, bars). 32 hex digits, the shape of the
// SFU's browser identity.
func (g *Gateway) numberKey(req *sip.Request) string {
	number := ""
	if f := req.From(); f != nil {
		number = f.Address.User
	}
	mac := hmac.New(sha256.New, g.key[:])
	mac.Write([]byte(number))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// cookie is the signaling cookie for a caller's identity.
func (g *Gateway) cookie(identity string) string {
	if g.cfg.Cookie == nil {
		return identity
	}
	return g.cfg.Cookie(identity)
}

func (g *Gateway) observe(call uint64, kind, detail string) {
	if g.cfg.Observe != nil {
		g.cfg.Observe(Event{Call: call, Kind: kind, Detail: detail})
	}
}
