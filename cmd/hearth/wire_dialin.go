package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/dialin"
)

// dialinConfig is the telephone gateway's part of `hearth serve`. Dial-in
// is off unless --sip-listen is set.
type dialinConfig struct {
	Listen   string
	RTPPorts string
	PublicIP string
	Allow    string
	AuthUser string
	AuthPass string
	Realm    string
	Numbers  string
	Language string
	MaxCalls int
}

func (c *dialinConfig) register(f *flags) {
	f.str(&c.Listen, "sip-listen", "HEARTH_SIP_LISTEN", "", "SIP address for phone dial-in, UDP and TCP, e.g. :5060 (empty: dial-in off)")
	f.str(&c.RTPPorts, "sip-rtp-ports", "HEARTH_SIP_RTP_PORTS", "20000-20999", "UDP port range for callers' audio (two ports per call)")
	f.str(&c.PublicIP, "sip-public-ip", "HEARTH_SIP_PUBLIC_IP", "", "IP announced to the SIP trunk (default: the first --rtc-public-ip, else this machine's)")
	f.str(&c.Allow, "sip-allow", "HEARTH_SIP_ALLOW", "", "IPs or CIDRs (comma-separated) of the SIP trunks that may send calls; others get 403")
	f.str(&c.AuthUser, "sip-auth-user", "HEARTH_SIP_AUTH_USER", "", "with --sip-auth-password: SIP digest username every call must authenticate with (also from the --sip-allow peers, when set)")
	f.str(&c.AuthPass, "sip-auth-password", "HEARTH_SIP_AUTH_PASSWORD", "", "SIP digest password (16+ characters; prefer the environment variable to the flag)")
	f.str(&c.Realm, "sip-auth-realm", "HEARTH_SIP_AUTH_REALM", "hearth", "SIP digest realm")
	f.str(&c.Numbers, "sip-numbers", "HEARTH_SIP_NUMBERS", "", "phone number(s) members dial, comma-separated, shown with each meeting's phone ID")
	f.str(&c.Language, "sip-language", "HEARTH_SIP_LANGUAGE", "en", "prompt language when a meeting names none: en, es, fr or pt")
	f.integer(&c.MaxCalls, "sip-max-calls", "HEARTH_SIP_MAX_CALLS", 100, "simultaneous calls at most")
}

func (c *dialinConfig) validate() error {
	if c.Listen == "" {
		return nil
	}
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--sip-listen %q must be host:port, e.g. :5060", c.Listen))
	}
	if _, _, err := parsePortRange(c.RTPPorts); err != nil {
		errs = append(errs, err)
	}
	if c.PublicIP != "" && net.ParseIP(c.PublicIP) == nil {
		errs = append(errs, fmt.Errorf("--sip-public-ip %q is not an IP address", c.PublicIP))
	}
	if allow, err := parsePrefixes(c.Allow); err != nil {
		errs = append(errs, err)
	} else if len(allow) == 0 && c.AuthUser == "" {
		errs = append(errs, errors.New("--sip-allow or --sip-auth-user must name the trunks that may call"))
	}
	errs = append(errs, c.validateAuth())
	for _, n := range splitList(c.Numbers) {
		if strings.Trim(n, "+0123456789 ") != "" || !strings.ContainsAny(n, "0123456789") {
			errs = append(errs, fmt.Errorf("--sip-numbers %q must be a phone number: digits, + and spaces", n))
		}
	}
	switch c.Language {
	case "en", "es", "fr", "pt":
	default:
		errs = append(errs, fmt.Errorf("--sip-language %q must be en, es, fr or pt", c.Language))
	}
	if c.MaxCalls < 1 {
		errs = append(errs, fmt.Errorf("--sip-max-calls %d must be at least 1", c.MaxCalls))
	}
	return errors.Join(errs...)
}

// minSIPPassword: a digest password is tried offline against a captured
// challenge and response, so it must be long.
const minSIPPassword = 16

func (c *dialinConfig) validateAuth() error {
	switch {
	case (c.AuthUser == "") != (c.AuthPass == ""):
		return errors.New("--sip-auth-user and --sip-auth-password go together")
	case c.AuthUser != "" && len(c.AuthPass) < minSIPPassword:
		return fmt.Errorf("--sip-auth-password must be at least %d characters", minSIPPassword)
	case strings.ContainsAny(c.AuthUser+c.Realm, "\"\\\r\n"):
		return errors.New("--sip-auth-user and --sip-auth-realm must not contain quotes, backslashes or line breaks")
	}
	return nil
}

// number is the dial-in number members are shown (the first of
// --sip-numbers), or "" when dial-in is off.
func (c *dialinConfig) number() string {
	if c.Listen == "" {
		return ""
	}
	if n := splitList(c.Numbers); len(n) > 0 {
		return n[0]
	}
	return ""
}

func parsePortRange(s string) (int, int, error) {
	lo, hi, ok := strings.Cut(s, "-")
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if !ok || err1 != nil || err2 != nil || a < 1024 || b > 65535 || b < a+1 {
		return 0, 0, fmt.Errorf("--sip-rtp-ports %q must be a range such as 20000-20999 within 1024-65535", s)
	}
	return a, b, nil
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range splitList(s) {
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("--sip-allow %q is not an IP or CIDR", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// buildDialin starts the telephone gateway when --sip-listen is set. It
// seats callers through the media server's own signaling, served to it on
// a loopback listener of its own, so that callers meet every rule a
// browser meets.
func (a *app) buildDialin() error {
	c := a.cfg.Dialin
	if c.Listen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("dial-in signaling: %w", err)
	}
	hs := &http.Server{Handler: a.sfu, ReadHeaderTimeout: 10 * time.Second,
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, gatewayConn{}, true)
		}}
	go func() { _ = hs.Serve(ln) }()
	a.closers = append(a.closers, func(ctx context.Context) error { return hs.Shutdown(ctx) })
	lo, hi, _ := parsePortRange(c.RTPPorts)
	allow, _ := parsePrefixes(c.Allow)
	cfg := dialin.Config{Listen: c.Listen, RTPLow: lo, RTPHigh: hi, AllowFrom: allow, MaxCalls: c.MaxCalls,
		Language: c.Language, Directory: phoneDirectory{store: a.store},
		SignalURL: "ws://" + ln.Addr().String() + uiSignalPath, Loopback: a.cfg.RTC.LoopbackOnly,
		Cookie: a.sfu.BrowserCookieFor}
	if c.AuthUser != "" {
		cfg.Auth = &dialin.Digest{Realm: c.Realm, User: c.AuthUser, Password: c.AuthPass}
	}
	if ip := c.PublicIP; ip != "" {
		cfg.PublicIP = net.ParseIP(ip)
	} else if ips := splitList(a.cfg.RTC.PublicIPs); len(ips) > 0 {
		cfg.PublicIP = net.ParseIP(ips[0])
	}
	gw, err := dialin.New(cfg, a.log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = gw.Serve(ctx) }()
	a.closers = append(a.closers, func(context.Context) error { cancel(); <-done; return nil })
	a.dialin = gw
	a.log.Info("phone dial-in listening", "sip_port", gw.Port(), "rtp_ports", c.RTPPorts)
	return nil
}

// gatewayConn marks the connections of the gateway's own signaling
// listener: only there is the caller header believed.
type gatewayConn struct{}

// gatewayClient names a telephone caller to the media server by the
// gateway's hash of the calling number (dialin.CallerHeader), so that
// callers take turns at verifying PINs one by one, as browsers at
// different addresses do, instead of all as the one loopback address.
func gatewayClient(r *http.Request) (sfu.Client, bool) {
	if r.Context().Value(gatewayConn{}) == nil {
		return sfu.Client{}, false
	}
	c := sfu.DirectClient(r)
	if h := r.Header.Get(dialin.CallerHeader); len(h) == 32 && strings.Trim(h, "0123456789abcdef") == "" {
		c.Source = "caller:" + h
	}
	return c, true
}

// phoneDirectory finds meetings by phone meeting ID (meetings.PhoneID).
type phoneDirectory struct{ store meetings.Store }

func (d phoneDirectory) Lookup(ctx context.Context, id string) (dialin.Meeting, error) {
	seriesID, ok := meetings.ParsePhoneID(id)
	if !ok {
		return dialin.Meeting{}, dialin.ErrUnknownMeeting
	}
	all, err := d.store.ListMeetings(ctx, meetings.Filter{})
	if err != nil {
		return dialin.Meeting{}, fmt.Errorf("phone directory: %w", err)
	}
	for _, m := range all {
		if m.ID == seriesID {
			lang := ""
			if len(m.Languages) > 0 {
				lang, _, _ = strings.Cut(strings.ToLower(m.Languages[0]), "-")
			}
			return dialin.Meeting{Room: m.Slug, HasPIN: m.Room.HasPasscode(), Language: lang}, nil
		}
	}
	return dialin.Meeting{}, dialin.ErrUnknownMeeting
}
