package sfu

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// BrowserCookie is the HttpOnly cookie that carries the server-issued
// browser id: the identity a removal bars (see package control) and the
// one that earns its own turn at verifying a secret (verifyGate).
const BrowserCookie = "hearth_browser"

// Issuing browser cookies. A cookie is only worth something because the
// server signed it, so the number an attacker can hold is bounded by how
// fast one address may be issued new ones: a burst for a crowd arriving
// behind one NAT (a treatment centre's members), then one every few
// seconds. Browsers keep theirs for cookieMaxAge, refreshed on every page.
const (
	cookieIssueBurst  = 20
	cookieIssueEvery  = 3 * time.Second
	cookieMaxAge      = 400 * 24 * time.Hour // the longest browsers keep a cookie
	maxIssueSources   = 1 << 16              // bounds the issuers' memory
	browserIDBytes    = 16
	cookieIssuedBytes = 8
	cookieMACBytes    = 16
)

// browser is who a signaling request says it is.
type browser struct {
	id     string    // 32 hex digits: what a removal bars
	issued time.Time // when the server issued the cookie; zero without one
	// signed: the request carries a cookie this server (or a node sharing
	// its key) issued, or was issued one with this response. Only a signed
	// browser is counted as itself and may use the clean lane; anything else
	// (no cookie, a made-up or tampered one, issuance refused) counts as
	// its address.
	signed bool
}

// browserCookies issues and checks the signed browser cookies.
type browserCookies struct {
	key    []byte // HMAC key, read-only after newBrowserCookies
	now    func() time.Time
	domain string // the cookie's Domain ("" host-only); read-only

	// mu guards issuers.
	mu      sync.Mutex
	issuers map[string]*rate.Limiter // per source key: new cookies it may be issued
}

// newBrowserCookies uses key (shared by every node that serves the same
// meetings, so that a cookie one issued is good on all), or a fresh random
// key for this process when key is empty.
func newBrowserCookies(key []byte, now func() time.Time) *browserCookies {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return &browserCookies{key: key, now: now, issuers: map[string]*rate.Limiter{}}
}

func (b *browserCookies) mac(raw []byte) []byte {
	h := hmac.New(sha256.New, b.key)
	h.Write([]byte("hearth browser cookie v1\x00"))
	h.Write(raw)
	return h.Sum(nil)[:cookieMACBytes]
}

// value is the cookie for id issued at t: id, issue time and MAC, in hex.
func (b *browserCookies) value(id []byte, t time.Time) string {
	raw := make([]byte, 0, browserIDBytes+cookieIssuedBytes+cookieMACBytes)
	raw = append(raw, id...)
	raw = binary.BigEndian.AppendUint64(raw, uint64(t.Unix()))
	return hex.EncodeToString(append(raw, b.mac(raw)...))
}

// parse checks a cookie value; a malformed or wrongly signed one is no
// cookie at all.
func (b *browserCookies) parse(v string) (browser, bool) {
	raw, err := hex.DecodeString(v)
	if err != nil || len(raw) != browserIDBytes+cookieIssuedBytes+cookieMACBytes {
		return browser{}, false
	}
	body, sum := raw[:browserIDBytes+cookieIssuedBytes], raw[browserIDBytes+cookieIssuedBytes:]
	if !hmac.Equal(sum, b.mac(body)) {
		return browser{}, false
	}
	secs := int64(binary.BigEndian.Uint64(body[browserIDBytes:]))
	return browser{id: hex.EncodeToString(body[:browserIDBytes]), issued: time.Unix(secs, 0), signed: true}, true
}

// fromRequest is the browser a request presents, if it presents a good
// cookie.
func (b *browserCookies) fromRequest(r *http.Request) (browser, string, bool) {
	ck, err := r.Cookie(BrowserCookie)
	if err != nil {
		return browser{}, "", false
	}
	br, ok := b.parse(ck.Value)
	return br, ck.Value, ok
}

// identify returns the browser a signaling request presents. Without a
// good cookie the browser gets an id for this connection only and counts
// as its address. The socket never issues cookies: the pages do, before
// the room opens it, so a script that floods the socket without keeping
// cookies does not spend its address's allowance of new ones.
func (b *browserCookies) identify(r *http.Request) browser {
	if br, _, ok := b.fromRequest(r); ok {
		return br
	}
	var id [browserIDBytes]byte
	_, _ = rand.Read(id[:])
	return browser{id: hex.EncodeToString(id[:])}
}

// issue gives a page's browser a new cookie when its address may be issued
// another.
func (b *browserCookies) issue(w http.ResponseWriter, r *http.Request, source string, https bool) {
	if !b.mayIssue(source) {
		return
	}
	var id [browserIDBytes]byte
	_, _ = rand.Read(id[:])
	b.set(w, r, b.value(id[:], b.now()), https)
}

// refresh sets a good cookie again, so that the browser keeps it for
// another cookieMaxAge from this visit.
func (b *browserCookies) refresh(w http.ResponseWriter, r *http.Request, https bool) {
	if _, v, ok := b.fromRequest(r); ok {
		b.set(w, r, v, https)
	}
}

// set gives the browser its cookie: for the whole domain when one is set
// and the page was asked for under it (so the nodes' names, under the
// public one, receive it too), else for the page's host alone (a browser
// drops a cookie whose domain does not cover the page's host). A
// host-only cookie from before the domain was set is replaced.
func (b *browserCookies) set(w http.ResponseWriter, r *http.Request, v string, https bool) {
	c := &http.Cookie{Name: BrowserCookie, Value: v, Path: "/", MaxAge: int(cookieMaxAge / time.Second),
		HttpOnly: true, Secure: https, SameSite: http.SameSiteLaxMode}
	if b.domain != "" && HostUnder(requestHost(r), b.domain) {
		http.SetCookie(w, &http.Cookie{Name: BrowserCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: https,
			SameSite: http.SameSiteLaxMode})
		c.Domain = b.domain
	}
	http.SetCookie(w, c)
}

// requestHost is the host name a request was sent to, without its port.
func requestHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		return h
	}
	return r.Host
}

// HostUnder reports whether host is domain or a name under it (a.domain),
// case aside; an IP address is under nothing.
func HostUnder(host, domain string) bool {
	host, domain = strings.ToLower(strings.TrimSuffix(host, ".")), strings.ToLower(strings.TrimSuffix(domain, "."))
	if domain == "" || net.ParseIP(host) != nil || net.ParseIP(domain) != nil {
		return false
	}
	return host == domain || strings.HasSuffix(host, "."+domain)
}

// mayIssue takes one issuance from the source's allowance.
func (b *browserCookies) mayIssue(source string) bool {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.issuers[source]
	if l == nil {
		if len(b.issuers) >= maxIssueSources {
			b.pruneLocked(now)
		}
		if len(b.issuers) >= maxIssueSources {
			return false
		}
		l = rate.NewLimiter(rate.Every(cookieIssueEvery), cookieIssueBurst)
		b.issuers[source] = l
	}
	return l.AllowN(now, 1)
}

// pruneLocked forgets the sources whose allowance is whole again: a fresh
// limiter would be the same.
func (b *browserCookies) pruneLocked(now time.Time) {
	for src, l := range b.issuers {
		if l.TokensAt(now) >= cookieIssueBurst {
			delete(b.issuers, src)
		}
	}
}

// signedID is the cookie value for an identity minted elsewhere in this
// process (dial-in's salted number hash, 32 hex digits), issued now; "" if
// id is not 32 hex digits.
func (b *browserCookies) signedID(id string) string {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != browserIDBytes {
		return ""
	}
	return b.value(raw, b.now())
}

// EnsureBrowserCookie gives a browser its cookie on a page load (the
// meeting and join pages), or refreshes the one it has, so that it presents
// a signed cookie when it opens the signaling socket: a browser with its
// cookie is counted as itself, not as its address, and takes its own turn
// at verifying a secret.
func (s *Server) EnsureBrowserCookie(w http.ResponseWriter, r *http.Request) {
	client := s.cfg.ClientOf(r)
	if _, _, ok := s.cookies.fromRequest(r); ok {
		s.cookies.refresh(w, r, client.HTTPS)
		return
	}
	s.cookies.issue(w, r, s.sourceKey(client), client.HTTPS)
}

// BrowserCookieFor is the cookie value that makes id (32 hex digits, such
// as dial-in's salted hash of a calling number) a signed browser identity,
// or "" when id is malformed. For in-process clients of the signaling
// server; never hand it to a browser that did not earn it.
func (s *Server) BrowserCookieFor(id string) string { return s.cookies.signedID(id) }
