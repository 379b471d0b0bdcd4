package sfu

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := map[string]string{
		`Registered 192.168.1.20 for AbCdEfGhIjKlMnOp`: `Registered <ip> for <redacted>`,
		`Started agent: isControlling? true, remoteUfrag: "bgZCBgQUOaFrLQXg", remotePwd: "sgriBXPYJZuxiYaQSIdNErPvOXTgoAnf"`: `Started agent: isControlling? true, remoteUfrag: <redacted>, remotePwd: <redacted>`,
		`Ping STUN from udp4 host 10.0.0.7:5000 (resolved: 10.0.0.7:5000) to udp6 host [2001:db8::42]:61000`:                 `Ping STUN from udp4 host <ip>:5000 (resolved: <ip>:5000) to udp6 host [<ip>]:61000`,
		`Inbound STUN from [fe80::1%eth0]:3478 and ::1 and ::ffff:203.0.113.9`:                                               `Inbound STUN from [<ip>]:3478 and <ip> and <ip>`,
		`peer at fe80::1:5000 left`: `peer at <ip> left`,
		`Authentication username="1700000000:abc" realm="hearth" srcAddr=198.51.100.4:40000`: `Authentication username=<redacted> realm="hearth" srcAddr=<ip>:40000`,
		`no such user exists garbage-user`:                                                   `no such user exists <redacted>`,
		`Discard request with wrong username from (203.0.113.1:1), bad`:                      `Discard request with wrong username from (<ip>:1), bad`,
		`Ufrag: XyZ`: `Ufrag: <redacted>`,
		`a=candidate:842163049 1 udp 1677729535 203.0.113.5 51234 typ srflx raddr 10.1.1.1 rport 51234`: `a=candidate:<redacted> typ srflx raddr <ip> rport 51234`,
		`a=ice-ufrag:Wx7f a=ice-pwd:0123456789abcdefghijkl`:                                             `a=ice-ufrag:<redacted> a=ice-pwd:<redacted>`,
		// Not addresses: stay.
		`delaystats: {-3.2ms 1.1ms 12:30:45 v4.2.20 normal}`: `delaystats: {-3.2ms 1.1ms 12:30:45 v4.2.20 normal}`,
		`No Username attribute in STUN message`:              `No Username attribute in STUN message`,
		`signaling state changed to stable`:                  `signaling state changed to stable`,
		`sha-256 AB:CD:EF:01`:                                `sha-256 AB:CD:EF:01`,
	}
	for in, want := range cases {
		if got := redact(in); got != want {
			t.Errorf("redact(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestRedactingHandler checks the attributes too: errors from Pion quote
// addresses, and loggers carry attributes bound earlier.
func TestRedactingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(RedactAddresses(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log = slog.New(RedactAddresses(log.Handler())) // wrapping twice is harmless
	log.With("remote", "203.0.113.7").WithGroup("g").Debug("candidate rejected from 198.51.100.1",
		"err", errors.New("dial udp 192.0.2.1:3478: refused"), "ips", []string{"2001:db8::1"}, "n", 3)
	out := buf.String()
	for _, leak := range []string{"203.0.113.7", "198.51.100.1", "192.0.2.1", "2001:db8::1"} {
		if strings.Contains(out, leak) {
			t.Errorf("%s in %s", leak, out)
		}
	}
	if !strings.Contains(out, "g.n=3") || strings.Count(out, "<ip>") != 4 {
		t.Errorf("log line lost its shape: %s", out)
	}
}
