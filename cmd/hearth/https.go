package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/hearth-recovery/hearth/sfu"
)

// hstsValue is sent on responses to https requests: a year, this host only
// (other names under the same domain are not Hearth's to decide).
const hstsValue = "max-age=31536000"

// httpsPolicy decides whether a request reached Hearth over https: directly
// (r.TLS), through a trusted reverse proxy that says so in
// X-Forwarded-Proto, or because --public-url is https (the address members
// use). It is the one place that decides; the cookies and HSTS follow it.
type httpsPolicy struct {
	publicHTTPS bool
	proxies     []netip.Prefix
}

func newHTTPSPolicy(cfg serveConfig) (httpsPolicy, error) {
	proxies, err := parseProxies(cfg.TrustedProxies)
	return httpsPolicy{publicHTTPS: strings.HasPrefix(cfg.PublicURL, "https://"), proxies: proxies}, err
}

// parseProxies reads "10.0.0.1, 192.168.0.0/16, ::1".
func parseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is neither an IP address nor a CIDR such as 10.0.0.0/8", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (p httpsPolicy) isHTTPS(r *http.Request) bool {
	return r.TLS != nil || p.publicHTTPS || p.proxiedHTTPS(r)
}

// proxiedHTTPS believes X-Forwarded-Proto only from a trusted proxy, and
// only its last value: the one the nearest proxy set or appended.
func (p httpsPolicy) proxiedHTTPS(r *http.Request) bool {
	vals := r.Header.Values("X-Forwarded-Proto")
	if len(p.proxies) == 0 || len(vals) == 0 {
		return false
	}
	parts := strings.Split(vals[len(vals)-1], ",")
	if !strings.EqualFold(strings.TrimSpace(parts[len(parts)-1]), "https") {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	return p.trusted(ap.Addr().Unmap())
}

// client says where a signaling request comes from, for the media server's
// verify gate and secret limiter: the connection's address, or, when that
// is a trusted proxy, the nearest address in X-Forwarded-For that is not
// one (a client can prepend anything to the header, but not to what the
// proxies append after it).
func (p httpsPolicy) client(r *http.Request) sfu.Client {
	c := sfu.DirectClient(r)
	c.HTTPS = p.isHTTPS(r)
	if !p.trusted(c.Addr) {
		return c
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return c // a malformed hop: trust nothing before it
		}
		c.Addr = a.Unmap()
		if !p.trusted(c.Addr) {
			return c
		}
	}
	return c
}

func (p httpsPolicy) trusted(a netip.Addr) bool {
	for _, pr := range p.proxies {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// secure marks every cookie Secure and sends HSTS on responses to https
// requests, whichever package set the cookie.
func (p httpsPolicy) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.isHTTPS(r) {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&secureWriter{ResponseWriter: w}, r)
	})
}

// secureWriter adds Secure to each Set-Cookie and HSTS just before the
// header goes out (including a WebSocket's 101).
type secureWriter struct {
	http.ResponseWriter
	wrote bool
}

func (s *secureWriter) prepare() {
	if s.wrote {
		return
	}
	s.wrote = true
	h := s.ResponseWriter.Header()
	for i, c := range h["Set-Cookie"] {
		if !hasSecure(c) {
			h["Set-Cookie"][i] = c + "; Secure"
		}
	}
	if h.Get("Strict-Transport-Security") == "" {
		h.Set("Strict-Transport-Security", hstsValue)
	}
}

func hasSecure(cookie string) bool {
	for _, attr := range strings.Split(cookie, ";")[1:] {
		if strings.EqualFold(strings.TrimSpace(attr), "secure") {
			return true
		}
	}
	return false
}

func (s *secureWriter) WriteHeader(code int) {
	s.prepare()
	s.ResponseWriter.WriteHeader(code)
}

func (s *secureWriter) Write(b []byte) (int, error) {
	s.prepare()
	return s.ResponseWriter.Write(b)
}

func (s *secureWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *secureWriter) Flush() {
	s.prepare()
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes through for WebSocket upgrades.
func (s *secureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	return hj.Hijack()
}
