package sfu

import (
	"context"
	"log/slog"
	"net/netip"
	"regexp"
	"strings"
)

// Redaction placeholders. A redacted line keeps its shape (ports, states,
// what happened) so that it stays useful for debugging.
const (
	redactedIP     = "<ip>"
	redactedSecret = "<redacted>"
)

var (
	// ipv4Pattern and ipv6Pattern find address-like tokens; a token is
	// replaced only when it parses as an address (so times like 21:06:45
	// and version numbers stay).
	ipv4Pattern = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	ipv6Pattern = regexp.MustCompile(`[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*(?:%[0-9A-Za-z_.-]+)?`)
	// credentialPattern finds ICE and TURN credentials after their name:
	// Pion logs remote ICE passwords ("remotePwd: \"...\""), ufrags and
	// TURN usernames (which carry a participant id). Words Pion puts after
	// such a name ("wrong username from (...)") are not values.
	// TURN's "no such user exists <username>" is one of them.
	credentialPattern = regexp.MustCompile(`(?i)\b(ufrags?|pwd|password|username|credential|user exists|` +
		`remoteUfrag|remotePwd|localUfrag|localPwd|ice-ufrag|ice-pwd)(\s*[:=]\s*|\s+)("[^"]*"|[^\s",()]+)`)
	// muxRegisteredPattern is the UDP mux's "Registered <ip> for <ufrag>".
	muxRegisteredPattern = regexp.MustCompile(`\b(Registered \S+ for )(\S+)`)
	// candidatePattern is an ICE candidate line: its foundation, address,
	// port and related address all go.
	candidatePattern = regexp.MustCompile(`candidate:\S+ \d+ (?i:udp|tcp) \d+ \S+ \d+ typ`)
)

// notValues are words that follow a credential's name in Pion's messages
// without being the credential.
var notValues = map[string]bool{"from": true, "attribute": true, "extension": true, "is": true,
	"to": true, "for": true, "and": true, "or": true, "realm": true, "empty": true}

// redact removes IP addresses (v4 and v6, with zone), ICE credentials,
// TURN usernames and candidate addresses from a log text. Hearth promises
// no client address in its logs at any level; Pion's debug output has
// them in nearly every ICE line.
func redact(s string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "candidate:") {
		s = candidatePattern.ReplaceAllString(s, "candidate:"+redactedSecret+" typ")
	}
	if strings.Contains(s, "Registered ") {
		s = muxRegisteredPattern.ReplaceAllString(s, "${1}"+redactedSecret)
	}
	s = credentialPattern.ReplaceAllStringFunc(s, redactCredential)
	// IPv6 first: it takes IPv4-mapped addresses (::ffff:192.0.2.1) whole.
	if strings.Contains(s, ":") {
		s = ipv6Pattern.ReplaceAllStringFunc(s, redactIPv6Token)
	}
	if strings.Contains(s, ".") {
		s = ipv4Pattern.ReplaceAllStringFunc(s, redactIPToken)
	}
	return s
}

func redactCredential(m string) string {
	sub := credentialPattern.FindStringSubmatch(m)
	if notValues[strings.ToLower(strings.Trim(sub[3], `"`))] {
		return m
	}
	return sub[1] + sub[2] + redactedSecret
}

func redactIPToken(tok string) string {
	if _, err := netip.ParseAddr(tok); err == nil {
		return redactedIP
	}
	return tok
}

// redactIPv6Token redacts an IPv6 address, also one written with its port
// after a colon ("fe80::1:5000" parses as an address too, so it goes whole).
func redactIPv6Token(tok string) string {
	addr := tok
	if i := strings.IndexByte(addr, '%'); i >= 0 {
		addr = addr[:i]
	}
	if strings.Count(addr, ":") < 2 {
		return tok
	}
	if _, err := netip.ParseAddr(addr); err == nil {
		return redactedIP
	}
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		if _, err := netip.ParseAddr(addr[:i]); err == nil {
			return redactedIP + tok[i:]
		}
	}
	return tok
}

// redactingHandler applies redact to every message and to every string,
// error and Stringer value of a record and of the attributes bound to its
// logger: the errors Pion returns quote addresses too.
type redactingHandler struct{ next slog.Handler }

// RedactAddresses wraps h so that nothing it writes carries an IP address
// or an ICE/TURN credential. The media server's logger always goes through
// it; cmd also puts net/http's error log through it ("http: panic serving
// <client address>"). Wrapping twice is a no-op.
func RedactAddresses(h slog.Handler) slog.Handler {
	if _, ok := h.(redactingHandler); ok {
		return h
	}
	return redactingHandler{next: h}
}

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = redactAttr(a)
	}
	return redactingHandler{next: h.next.WithAttrs(clean)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{next: h.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String()))
	case slog.KindGroup:
		as := v.Group()
		clean := make([]any, len(as))
		for i, g := range as {
			clean[i] = redactAttr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, redact(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, redact(x.String()))
		case nil:
			return a
		default:
			// Structs and maps could hold an address anywhere: they are
			// logged as text, redacted like the rest.
			return slog.String(a.Key, redact(slog.AnyValue(x).String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
