package sfu

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ICEServer is a STUN or TURN server handed to clients in the join reply.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// TURNConfig turns on the embedded TURN server (pion/turn). Credentials are
// short-lived and minted per participant from Secret (the TURN REST scheme:
// username "expiry:participant", password base64(HMAC-SHA1(secret, username))).
//
// The server listens for TURN over UDP and over TCP on Port, and over TLS
// on TLSPort when TLS is set: members on networks that pass only HTTPS
// reach it there (turns:, port 443).
type TURNConfig struct {
	Enabled bool
	Realm   string
	Port    int    // UDP and TCP port of the TURN listener; 0 picks a free one
	Secret  string // shared secret for short-lived credentials
	TTL     time.Duration
	// TLS, when set, serves TURN over TLS on TLSPort (0 picks a free one)
	// with its certificate (GetCertificate may reload it).
	TLS     *tls.Config
	TLSPort int
	// Host is the name put in the turn: and turns: URLs handed to browsers;
	// a TLS certificate must cover it. Default: the first public IP, else
	// 127.0.0.1.
	Host string
}

// Config configures a Server. Zero fields take the defaults listed on each.
type Config struct {
	// UDPPort is the single UDP port that carries all media (ICE UDP mux).
	// 0 picks a free port (tests).
	UDPPort int
	// TCPPort is the ICE-TCP fallback port; 0 disables ICE-TCP.
	TCPPort int
	// PublicIPs are announced instead of the host address (1:1 NAT).
	PublicIPs []string
	// ICEServers are given to clients (STUN/TURN) verbatim.
	ICEServers []ICEServer
	// TURN configures the embedded TURN server.
	TURN TURNConfig
	// AllowedOrigins are host patterns accepted on the WebSocket upgrade
	// (coder/websocket OriginPatterns); empty means same-origin only.
	AllowedOrigins []string
	// MaxMessageBytes bounds one signaling message (default 64 KiB).
	MaxMessageBytes int64
	// MessagesPerSecond and MessageBurst rate-limit each client's signaling
	// messages (defaults 20/s, burst 40). A client over the limit is closed.
	MessagesPerSecond float64
	MessageBurst      int
	// PingInterval is the WebSocket keepalive period (default 15 s).
	PingInterval time.Duration
	// MaxVideoStreams is how many video streams a subscriber receives at most
	// (default 25).
	MaxVideoStreams int
	// ResumeWindow is how long a participant whose signaling dropped keeps its
	// place and identity (default 30 s).
	ResumeWindow time.Duration
	// LoopbackOnly restricts ICE to 127.0.0.1 (tests): loopback candidates,
	// UDP4, no mDNS, and only loopback remotes answered.
	LoopbackOnly bool
	// Registerer receives the server's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Control configures the chair controls that every room runs under.
	Control ControlConfig
	// MaxRoomPeers is the technical ceiling of one room's connections,
	// waiting ones included (default 1000). Capacity is the controller's
	// (RoomSettings.MaxParticipants); this only bounds memory, and a chair
	// with a verified secret is never counted against it.
	MaxRoomPeers int
	// Verifications bounds how many secret verifications (argon2id, in the
	// Rooms implementation) run at once (default 2).
	Verifications int
	// CookieKey signs the browser cookies (BrowserCookie). Nodes that serve
	// the same meetings must share it, so that a cookie one issued is good
	// on all; empty means a random key for this process (cookies issued
	// before a restart then count as none).
	CookieKey []byte
	// CookieDomain, when set, is the browser cookie's Domain: the public
	// host name of several nodes whose own names are under it
	// (node1.meet.example.org under meet.example.org), so that the cookie a
	// page set is also sent to the node its room runs on. Empty: the
	// cookie is the page's host's alone.
	CookieDomain string
	// ClientOf says where a signaling request comes from: its address and
	// whether the browser reached us over HTTPS. Default: RemoteAddr and
	// r.TLS. cmd replaces it to trust a reverse proxy's forwarded headers.
	ClientOf func(*http.Request) Client
	// Node makes this server one node of several sharing room leases
	// (nodes.go); zero: a single node that runs every room itself.
	Node NodeConfig
}

// Client is where a signaling request comes from. The address is held in
// memory only, as a keyed hash, to take turns at verifying secrets and to
// count failures that dropping the cookie must not reset; it is never
// logged or stored.
type Client struct {
	Addr  netip.Addr
	HTTPS bool // set the browser cookie Secure
	// Source, when set, stands in for Addr: a client that speaks for many
	// people (the telephone gateway, for each caller a keyed hash of the
	// calling number) names each, so that they take turns at the verify
	// gate as browsers at different addresses do. Only a ClientOf that
	// trusts the connection (cmd's own loopback listener for the gateway)
	// may set it.
	Source string
}

// DirectClient is the default ClientOf: the connection's own address.
func DirectClient(r *http.Request) Client {
	ap, _ := netip.ParseAddrPort(r.RemoteAddr)
	return Client{Addr: ap.Addr().Unmap(), HTTPS: r.TLS != nil}
}

const (
	defaultMaxMessageBytes = 64 << 10
	defaultMessagesPerSec  = 20
	defaultMessageBurst    = 40
	defaultPingInterval    = 15 * time.Second
	defaultMaxVideoStreams = 25
	defaultResumeWindow    = 30 * time.Second
	defaultTURNTTL         = 10 * time.Minute
	defaultMaxRoomPeers    = 1000
	defaultVerifications   = 2
)

// withDefaults returns a copy of c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = defaultMaxMessageBytes
	}
	if c.MessagesPerSecond == 0 {
		c.MessagesPerSecond = defaultMessagesPerSec
	}
	if c.MessageBurst == 0 {
		c.MessageBurst = defaultMessageBurst
	}
	if c.PingInterval == 0 {
		c.PingInterval = defaultPingInterval
	}
	if c.MaxVideoStreams == 0 {
		c.MaxVideoStreams = defaultMaxVideoStreams
	}
	if c.ResumeWindow == 0 {
		c.ResumeWindow = defaultResumeWindow
	}
	if c.TURN.TTL == 0 {
		c.TURN.TTL = defaultTURNTTL
	}
	if c.TURN.Realm == "" {
		c.TURN.Realm = "hearth"
	}
	if c.MaxRoomPeers == 0 {
		c.MaxRoomPeers = defaultMaxRoomPeers
	}
	if c.Verifications == 0 {
		c.Verifications = defaultVerifications
	}
	if c.ClientOf == nil {
		c.ClientOf = DirectClient
	}
	if c.Control.Clock == nil {
		c.Control.Clock = wallClock{}
	}
	if c.Node.RenewEvery == 0 {
		c.Node.RenewEvery = defaultRenewEvery
	}
	if c.Control.Linger == 0 {
		c.Control.Linger = defaultLinger
	}
	if c.Control.RoleCheck == 0 {
		c.Control.RoleCheck = defaultRoleCheck
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.UDPPort < 0 || c.UDPPort > 65535 {
		return fmt.Errorf("sfu: UDPPort %d out of range", c.UDPPort)
	}
	if c.TCPPort < 0 || c.TCPPort > 65535 {
		return fmt.Errorf("sfu: TCPPort %d out of range", c.TCPPort)
	}
	for _, ip := range c.PublicIPs {
		if net.ParseIP(ip) == nil {
			return fmt.Errorf("sfu: public IP %q is not an IP address", ip)
		}
	}
	if c.MaxMessageBytes < 1024 {
		return errors.New("sfu: MaxMessageBytes below 1024")
	}
	if c.MessagesPerSecond < 0 || c.MessageBurst < 1 {
		return errors.New("sfu: invalid message rate limit")
	}
	if c.MaxVideoStreams < 1 {
		return errors.New("sfu: MaxVideoStreams must be at least 1")
	}
	if c.MaxRoomPeers < 1 || c.Verifications < 1 {
		return errors.New("sfu: MaxRoomPeers and Verifications must be at least 1")
	}
	if err := c.Node.validate(); err != nil {
		return err
	}
	if c.Control.Linger < 0 || c.Control.RoleCheck < 0 {
		return errors.New("sfu: negative Control.Linger or Control.RoleCheck")
	}
	if c.TURN.Enabled {
		if len(c.TURN.Secret) < 16 {
			return errors.New("sfu: TURN secret shorter than 16 bytes")
		}
		if c.TURN.Port < 0 || c.TURN.Port > 65535 {
			return fmt.Errorf("sfu: TURN port %d out of range", c.TURN.Port)
		}
		if c.TURN.TLSPort < 0 || c.TURN.TLSPort > 65535 {
			return fmt.Errorf("sfu: TURN TLS port %d out of range", c.TURN.TLSPort)
		}
		if c.TURN.TLS != nil && c.TURN.TLSPort != 0 && c.TURN.TLSPort == c.TURN.Port {
			return fmt.Errorf("sfu: TURN TLS port %d is also the TURN port (TCP)", c.TURN.TLSPort)
		}
	}
	return nil
}
