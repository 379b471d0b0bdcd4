package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// rtcConfig is the media server's part of `hearth serve`.
type rtcConfig struct {
	UDPPort   int
	TCPPort   int
	PublicIPs string
	STUN      string
	TURN      bool
	TURNPort  int
	TURNRealm string
	// TURNTLSPort, TURNTLSCert and TURNTLSKey serve TURN over TLS (turns:),
	// for members on networks that pass only HTTPS; TURNHost is the name in
	// the URLs handed to browsers (the certificate must cover it).
	TURNTLSPort int
	TURNTLSCert string
	TURNTLSKey  string
	TURNHost    string
	Origins     string
	// LoopbackOnly keeps ICE on 127.0.0.1. Not a flag: tests set it so that
	// media never touches an address other than loopback.
	LoopbackOnly bool
	// RoleCheck is how often a room checks the service roles that seated
	// its chairs (0: sfu's default). Not a flag: tests shorten it.
	RoleCheck time.Duration
}

func (c *rtcConfig) register(f *flags) {
	f.integer(&c.UDPPort, "rtc-udp-port", "HEARTH_RTC_UDP_PORT", 8443, "UDP port that carries all media (ICE UDP mux)")
	f.integer(&c.TCPPort, "rtc-tcp-port", "HEARTH_RTC_TCP_PORT", 8443, "TCP port for ICE-TCP fallback (0 turns it off)")
	f.str(&c.PublicIPs, "rtc-public-ip", "HEARTH_RTC_PUBLIC_IP", "", "public IP(s), comma-separated, announced for a server behind 1:1 NAT")
	f.str(&c.STUN, "rtc-ice-servers", "HEARTH_RTC_ICE_SERVERS", "", "extra STUN/TURN URLs given to browsers, comma-separated")
	f.boolean(&c.TURN, "turn", "HEARTH_TURN", false, "run the embedded TURN server for members behind strict firewalls")
	f.integer(&c.TURNPort, "turn-port", "HEARTH_TURN_PORT", 3478, "UDP port of the embedded TURN server")
	f.str(&c.TURNRealm, "turn-realm", "HEARTH_TURN_REALM", "hearth", "realm of the embedded TURN server")
	f.integer(&c.TURNTLSPort, "turn-tls-port", "HEARTH_TURN_TLS_PORT", 443, "TCP port of TURN over TLS (with --turn-tls-cert and --turn-tls-key)")
	f.str(&c.TURNTLSCert, "turn-tls-cert", "HEARTH_TURN_TLS_CERT", "", "PEM certificate chain file for TURN over TLS; reread when it changes")
	f.str(&c.TURNTLSKey, "turn-tls-key", "HEARTH_TURN_TLS_KEY", "", "PEM private key file for TURN over TLS")
	f.str(&c.TURNHost, "turn-host", "HEARTH_TURN_HOST", "", "host name in the TURN URLs given to browsers; the TLS certificate must cover it (default: the --public-url host with TLS, else the first --rtc-public-ip)")
	f.str(&c.Origins, "rtc-allowed-origins", "HEARTH_RTC_ALLOWED_ORIGINS", "", "extra origins (host patterns) allowed to open the signaling WebSocket; same-origin is always allowed")
}

func (c *rtcConfig) validate() error {
	var errs []error
	ports := map[string]int{"--rtc-udp-port": c.UDPPort, "--rtc-tcp-port": c.TCPPort, "--turn-port": c.TURNPort, "--turn-tls-port": c.TURNTLSPort}
	for name, port := range ports {
		if port < 0 || port > 65535 {
			errs = append(errs, fmt.Errorf("%s %d must be 0 to 65535", name, port))
		}
	}
	for _, ip := range splitList(c.PublicIPs) {
		if net.ParseIP(ip) == nil {
			errs = append(errs, fmt.Errorf("--rtc-public-ip %q is not an IP address", ip))
		}
	}
	for _, u := range splitList(c.STUN) {
		if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
			errs = append(errs, fmt.Errorf("--rtc-ice-servers %q must start with stun:, turn: or turns:", u))
		}
	}
	return errors.Join(append(errs, c.validateTURNTLS())...)
}

func (c *rtcConfig) validateTURNTLS() error {
	switch {
	case (c.TURNTLSCert == "") != (c.TURNTLSKey == ""):
		return errors.New("--turn-tls-cert and --turn-tls-key go together")
	case c.TURNTLSCert != "" && !c.TURN:
		return errors.New("--turn-tls-cert needs --turn (TURN over TLS is part of the embedded TURN server)")
	case c.TURNTLSCert != "" && c.TURNTLSPort != 0 && c.TURNTLSPort == c.TURNPort:
		return fmt.Errorf("--turn-tls-port %d is also --turn-port (TURN over TCP listens there)", c.TURNTLSPort)
	case c.TURNHost != "" && strings.ContainsAny(c.TURNHost, ":/?@ "):
		return fmt.Errorf("--turn-host %q must be a host name or IPv4 address, without port or scheme", c.TURNHost)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// sfuConfig turns the flags into the media server's configuration. The TURN
// secret only signs short-lived credentials, so a fresh one per start is
// enough: credentials minted before a restart expire with it.
//
// With TURN over TLS and no --turn-host, the TURN URLs name the public
// URL's host: browsers check a turns: server's certificate against the
// URL's host, and that name is the one a certificate covers.
func (c *rtcConfig) sfuConfig(publicURL string) (sfu.Config, error) {
	cfg := sfu.Config{UDPPort: c.UDPPort, TCPPort: c.TCPPort, PublicIPs: splitList(c.PublicIPs),
		AllowedOrigins: splitList(c.Origins), LoopbackOnly: c.LoopbackOnly,
		Control: sfu.ControlConfig{RoleCheck: c.RoleCheck}}
	if urls := splitList(c.STUN); len(urls) > 0 {
		cfg.ICEServers = []sfu.ICEServer{{URLs: urls}}
	}
	if c.TURN {
		secret, err := meetings.NewToken()
		if err != nil {
			return cfg, err
		}
		cfg.TURN = sfu.TURNConfig{Enabled: true, Realm: c.TURNRealm, Port: c.TURNPort, Secret: secret, Host: c.TURNHost}
		if c.TURNTLSCert != "" {
			certs, err := loadCertFiles(c.TURNTLSCert, c.TURNTLSKey)
			if err != nil {
				return cfg, fmt.Errorf("--turn-tls-cert/--turn-tls-key: %w", err)
			}
			cfg.TURN.TLS = &tls.Config{GetCertificate: certs.get, MinVersion: tls.VersionTLS12}
			cfg.TURN.TLSPort = c.TURNTLSPort
			if u, err := url.Parse(publicURL); err == nil && c.TURNHost == "" {
				cfg.TURN.Host = u.Hostname()
			}
		}
	}
	return cfg, nil
}

// buildSFU starts the media server with room control, its policy read from
// the meetings store: a room is a meeting series, named by its slug.
func (a *app) buildSFU(ctx context.Context) error {
	cfg, err := a.cfg.RTC.sfuConfig(a.cfg.PublicURL)
	if err != nil {
		return err
	}
	if cfg.CookieKey, err = browserCookieKey(ctx, a.store); err != nil {
		return err
	}
	cfg.Registerer = a.metrics
	https, err := newHTTPSPolicy(a.cfg)
	if err != nil {
		return err
	}
	cfg.ClientOf = func(r *http.Request) sfu.Client {
		if c, ok := gatewayClient(r); ok {
			return c
		}
		return https.client(r)
	}
	if err := a.nodeConfig(&cfg); err != nil {
		return err
	}
	srv, err := sfu.New(cfg, roomPolicy{store: a.store, admin: a.admin, log: a.log}, a.log)
	if err != nil {
		return fmt.Errorf("media server: %w", err)
	}
	a.sfu = srv
	// Operators open this port in their firewall; say where media arrives.
	a.log.Info("media listening", "udp", strings.Join(srv.UDPAddrs(), " "), "tcp_port", cfg.TCPPort,
		"turn_port", cfg.TURN.Port, "turn_tls_port", cfg.TURN.TLSPort)
	a.closers = append(a.closers, func(context.Context) error { return srv.Close() })
	return nil
}

// mountSFU serves the signaling WebSocket the room page connects to.
func (a *app) mountSFU(mux *http.ServeMux) {
	mux.Handle("GET "+uiSignalPath, a.sfu)
}

// browserCookieKeySetting names the stored key that signs the browser
// cookies. It is in the database so that every node sharing it signs
// alike: a cookie one node issued is good on the node that hosts the room.
const browserCookieKeySetting = "browser_cookie_key"

// browserCookieKey returns the stored cookie key, generating it on the
// first start (the first node to store one wins; the others read it).
func browserCookieKey(ctx context.Context, store meetings.Store) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("browser cookie key: %w", err)
	}
	v, err := store.SettingOnce(ctx, browserCookieKeySetting, hex.EncodeToString(fresh))
	if err != nil {
		return nil, fmt.Errorf("browser cookie key: %w", err)
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("browser cookie key: stored setting %q is not a hex key", browserCookieKeySetting)
	}
	return key, nil
}

// browserCookies gives a browser its signed id cookie (or refreshes it)
// when it opens a meeting or join page, so that it presents one on the
// signaling socket: a browser with its cookie is counted as itself, not as
// its address, and takes its own turn at verifying a secret (sfu's verify
// gate). The socket itself never issues one.
func (a *app) browserCookies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && isMeetingPage(r.URL.Path) {
			a.sfu.EnsureBrowserCookie(w, r)
		}
		next.ServeHTTP(w, r)
	})
}

// isMeetingPage: /m/{slug} and /m/{slug}/join, the pages a member opens
// before the room.
func isMeetingPage(path string) bool {
	rest, ok := strings.CutPrefix(path, "/m/")
	if !ok || rest == "" {
		return false
	}
	slug, tail, sub := strings.Cut(rest, "/")
	return slug != "" && (!sub || tail == "join")
}

// roomPolicy answers the media server's questions from the meetings store.
// Secrets are verified here with argon2id; sfu only ever sees yes or no.
type roomPolicy struct {
	store meetings.Store
	admin adminVerifier
	log   *slog.Logger // nil: nothing logged
}

type adminVerifier interface {
	Verify(token string) bool
	Screen(token string) meetings.Screen
}

func (p roomPolicy) meeting(ctx context.Context, roomID string) (meetings.Meeting, error) {
	m, err := p.store.Meeting(ctx, roomID)
	if errors.Is(err, meetings.ErrNotFound) {
		return m, sfu.ErrNoRoom
	}
	return m, err
}

func (p roomPolicy) Room(ctx context.Context, roomID string) (sfu.RoomSettings, error) {
	m, err := p.meeting(ctx, roomID)
	if err != nil {
		return sfu.RoomSettings{}, err
	}
	readings, err := p.store.Readings(ctx, m.GroupSlug)
	if err != nil {
		return sfu.RoomSettings{}, err
	}
	r := m.Room
	return sfu.RoomSettings{WaitingRoom: r.WaitingRoom, LockedUntilChair: r.LockedUntilChair,
		PasscodeRequired: r.HasPasscode(), CameraOffOnEntry: r.CameraOffOnEntry, MaxParticipants: r.MaxParticipants,
		ChatMode: string(r.Chat()), ShareTimer: r.ShareTimer,
		SecretsVersion: secretsVersion(m.TimeZone, r), Readings: roomReadings(readings)}, nil
}

// roomReadings are the group's readings as the room shows them: split into
// paragraphs here, by meetings' rule, so that every page shows the same
// paragraphs and the reader's position means the same everywhere.
func roomReadings(rs []meetings.Reading) []sfu.Reading {
	out := make([]sfu.Reading, len(rs))
	for i, r := range rs {
		out[i] = sfu.Reading{ID: strconv.FormatInt(r.ID, 10), Title: r.Title, Paragraphs: r.Paragraphs()}
	}
	return out
}

// secretsVersion changes whenever the passcode, the phone PIN, the host
// key or a service role (added, revoked) does: a digest of their stored
// hashes (each salted, so equal secrets still differ), never the secrets.
// With roles the zone counts too: their last days end in it.
func secretsVersion(zone string, r meetings.RoomSettings) string {
	h := sha256.New()
	h.Write([]byte(r.PasscodeHash + "\x00" + r.PhonePINHash + "\x00" + r.HostKeyHash))
	if len(r.HostRoles) > 0 {
		h.Write([]byte("\x00" + zone))
	}
	for _, role := range r.HostRoles {
		until := ""
		if role.Until != nil {
			until = role.Until.String()
		}
		fmt.Fprintf(h, "\x00%d\x00%s\x00%s\x00%s", role.ID, role.Label, until, role.KeyHash)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (p roomPolicy) VerifyPasscode(ctx context.Context, roomID, passcode string) (bool, error) {
	m, err := p.meeting(ctx, roomID)
	if err != nil {
		return false, err
	}
	return !m.Room.HasPasscode() || p.verify(ctx, m.Room.PasscodeHash, passcode), nil
}

// VerifyPhonePIN follows meetings.VerifyPhonePIN: the meeting's PIN, or
// while it has none its passcode.
func (p roomPolicy) VerifyPhonePIN(ctx context.Context, roomID, pin string) (bool, error) {
	m, err := p.meeting(ctx, roomID)
	if err != nil {
		return false, err
	}
	hash, needed := meetings.PhonePINHashOf(m.Room)
	return !needed || p.verify(ctx, hash, pin), nil
}

// VerifyHostKey follows meetings.MatchHostKey: the meeting's own key or a
// service role's that has not ended (a revoked role is gone from the
// schedule, on every node once the write's notification reloads it).
func (p roomPolicy) VerifyHostKey(ctx context.Context, roomID, hostKey string) (sfu.ChairKey, bool, error) {
	m, err := p.meeting(ctx, roomID)
	if err != nil {
		return sfu.ChairKey{}, false, err
	}
	ck, hash, ok := meetings.MatchHostKeyHash(&m, hostKey, time.Now())
	if ok {
		p.fingerprint(ctx, hash, hostKey)
	}
	return sfu.ChairKey{RoleID: ck.RoleID, Role: ck.Label, Ends: ck.Ends}, ok, nil
}

var _ sfu.RoleChecker = roomPolicy{}

// RoleActive answers from the schedule VerifyHostKey reads, so that a
// role's seat ends exactly when its key starts being refused: revoked on
// any node (the write's notification reloads every node's schedule) or
// past its last day (meetings.HostRole.InForce). It costs no query while
// the node listens for changes. A meeting that is gone took its roles
// with it.
func (p roomPolicy) RoleActive(ctx context.Context, roomID string, roleID int64) (time.Time, bool, error) {
	m, err := p.meeting(ctx, roomID)
	if errors.Is(err, sfu.ErrNoRoom) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	loc := m.RolesZone()
	for _, h := range m.Room.HostRoles {
		if h.ID == roleID {
			return h.Ends(loc), h.InForce(loc, time.Now()), nil
		}
	}
	return time.Time{}, false, nil
}

// verify checks secret against hash (argon2id), and adds the fingerprint
// to a hash stored before them once its secret proves right.
func (p roomPolicy) verify(ctx context.Context, hash, secret string) bool {
	if !meetings.VerifySecret(hash, secret) {
		return false
	}
	p.fingerprint(ctx, hash, secret)
	return true
}

// fingerprint stores the fingerprint of a right secret whose hash was
// stored before fingerprints (the only time the secret is at hand), so
// that from then on wrong guesses at it are screened out without argon2id
// (ScreenSecret).
func (p roomPolicy) fingerprint(ctx context.Context, hash, secret string) {
	upgraded, ok := meetings.WithFingerprint(hash, secret)
	if !ok {
		return
	}
	if err := p.store.UpgradeSecretHash(ctx, hash, upgraded); err != nil && p.log != nil {
		p.log.Warn("could not store a secret's fingerprint; wrong guesses at it still take the slow way", "err", err)
	}
}

// ScreenSecret answers sfu's cheap question from the fingerprints stored
// in the meeting's hashes (meetings.ScreenSecret), so that wrong guesses
// never wait for argon2id ahead of the right secret. A host key is any of
// the meeting's (meetings.ScreenHostKey: its own and its service roles'
// in force), or the admin token: a guess that is none of them is screened
// by the admin token's own fingerprint, or while it has none (a database
// from before it) checked outright, which Admin bounds by itself.
func (p roomPolicy) ScreenSecret(ctx context.Context, roomID string, kind control.SecretKind, secret string) (sfu.SecretScreen, error) {
	m, err := p.meeting(ctx, roomID)
	if err != nil {
		return sfu.ScreenUnknown, err
	}
	r := m.Room
	s := meetings.ScreenMaybe
	switch kind {
	case control.SecretPasscode:
		if r.HasPasscode() {
			s = meetings.ScreenSecret(r.PasscodeHash, secret)
		}
	case control.SecretPhonePIN:
		s = meetings.ScreenPhonePIN(r, secret)
	case control.SecretHostKey:
		if s = meetings.ScreenHostKey(&m, secret, time.Now()); s == meetings.ScreenNo {
			s = p.screenAdmin(secret)
		}
	}
	switch s {
	case meetings.ScreenNo:
		return sfu.ScreenWrong, nil
	case meetings.ScreenMaybe:
		return sfu.ScreenMaybe, nil
	}
	return sfu.ScreenUnknown, nil
}

func (p roomPolicy) screenAdmin(token string) meetings.Screen {
	switch s := p.admin.Screen(token); {
	case s != meetings.ScreenUnknown:
		return s
	case p.admin.Verify(token):
		return meetings.ScreenMaybe
	}
	return meetings.ScreenNo
}

func (p roomPolicy) IsAdminToken(_ context.Context, token string) bool {
	return token != "" && p.admin.Verify(token)
}
