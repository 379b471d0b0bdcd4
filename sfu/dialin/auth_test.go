package dialin

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/hearth-recovery/hearth/sfu/dialin/dialintest"
)

var trunk = &Digest{Realm: "hearth", User: "trunk", Password: "a-long-trunk-secret"}

// A trunk with the right digest credentials (a real baresip answering
// the 401 challenge) is answered and its caller joins; one with a wrong
// password is refused with a SIP error and never answered. No allow-list:
// any address may try.
func TestDigestAuthBaresip(t *testing.T) {
	t.Parallel()
	h := newHarnessAuth(t, trunk)
	bad := dialintest.StartWithAuth(t, "5550120", sine(toneHz, 8000*30, 8000), "trunk", "not-the-secret-at-all")
	bad.Dial(t, h.gw.Port())
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(bad.Output(), "401") {
		if time.Now().After(deadline) {
			t.Fatalf("baresip with a wrong password did not see 401:\n%s", bad.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case e := <-h.events:
		t.Fatalf("a call with wrong credentials produced %v", e)
	default:
	}

	ph := dialintest.StartWithAuth(t, "5550121", sine(toneHz, 8000*60, 8000), "trunk", trunk.Password)
	ph.Dial(t, h.gw.Port())
	h.wait(t, "answered", "")
	h.wait(t, "prompt-done", "welcome")
	ph.Keys(t, testMeetingID+"#")
	h.wait(t, "prompt-done", "pin")
	ph.Keys(t, testPIN+"#")
	h.wait(t, "joined", "")
	hangUp(t, h, ph)
}

// Raw INVITEs: none gets past the challenge without credentials, with
// forged ones or with a nonce Hearth did not make; with both an
// allow-list and digest, a peer outside the list gets 403 whatever it
// brings.
func TestDigestAuthRefusals(t *testing.T) {
	t.Parallel()
	h := newHarnessAuth(t, trunk)
	res := rawSIPResponse(t, h.gw, invite("5550122"))
	if !strings.HasPrefix(res, "SIP/2.0 401") || !strings.Contains(res, `WWW-Authenticate: Digest realm="hearth"`) ||
		!strings.Contains(res, "nonce=") {
		t.Fatalf("INVITE without credentials: %q", res)
	}
	forged := `Digest username="trunk", realm="hearth", nonce="5f5e100.00112233445566778899aabbccddeeff", uri="sip:hearth@127.0.0.1", response="00000000000000000000000000000000"`
	if got := rawSIP(t, h.gw, withAuth(invite("5550122"), forged)); !strings.HasPrefix(got, "SIP/2.0 401") {
		t.Fatalf("INVITE with a forged nonce: %q", got)
	}
	if got := rawSIP(t, h.gw, withAuth(invite("5550122"), "Digest garbage")); !strings.HasPrefix(got, "SIP/2.0 401") {
		t.Fatalf("INVITE with malformed credentials: %q", got)
	}

	fenced := newHarnessAuth(t, trunk, netip.MustParsePrefix("192.0.2.0/24"))
	if got := rawSIP(t, fenced.gw, invite("5550123")); !strings.HasPrefix(got, "SIP/2.0 403") {
		t.Fatalf("INVITE from outside the allow-list: %q", got)
	}
}

// withAuth adds credentials to a raw INVITE, as a new transaction (the
// first one's 401 went to another socket).
func withAuth(msg, auth string) string {
	n := itoa(len(auth))
	msg = strings.ReplaceAll(msg, "z9hG4bK-test1", "z9hG4bK-auth"+n)
	msg = strings.ReplaceAll(msg, "test-call-1", "auth-call-"+n)
	return strings.Replace(msg, "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nAuthorization: "+auth+"\r\n", 1)
}

// The credentials check itself: right (with and without qop), wrong
// password, another user, a tampered or expired nonce (stale: the client
// may retry at once), replayed with another method.
func TestDigestCheck(t *testing.T) {
	a := newDigestAuth(*trunk)
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return now }
	chal, err := digest.ParseChallenge(a.challenge(false))
	if err != nil {
		t.Fatal(err)
	}
	req := func(method sip.RequestMethod, c *digest.Challenge, user, pass string) *sip.Request {
		r := sip.NewRequest(method, sip.Uri{Scheme: "sip", User: "hearth", Host: "127.0.0.1"})
		cred, err := digest.Digest(c, digest.Options{Method: string(method), URI: "sip:hearth@127.0.0.1", Username: user, Password: pass})
		if err != nil {
			t.Fatal(err)
		}
		r.AppendHeader(sip.NewHeader("Authorization", cred.String()))
		return r
	}
	noQOP := *chal
	noQOP.QOP = nil
	tampered := *chal
	tampered.Nonce = strings.Replace(chal.Nonce, ".", "0.", 1)
	for _, tc := range []struct {
		name      string
		r         *sip.Request
		ok, stale bool
	}{
		{"right", req(sip.INVITE, chal, "trunk", trunk.Password), true, false},
		{"right, no qop", req(sip.INVITE, &noQOP, "trunk", trunk.Password), true, false},
		{"wrong password", req(sip.INVITE, chal, "trunk", "guess"), false, false},
		{"another user", req(sip.INVITE, chal, "other", trunk.Password), false, false},
		{"tampered nonce", req(sip.INVITE, &tampered, "trunk", trunk.Password), false, false},
		{"no header", sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "127.0.0.1"}), false, false},
	} {
		if ok, stale := a.check(tc.r); ok != tc.ok || stale != tc.stale {
			t.Errorf("%s: ok %v stale %v", tc.name, ok, stale)
		}
	}
	other := req(sip.OPTIONS, chal, "trunk", trunk.Password)
	other.Method = sip.INVITE
	if ok, _ := a.check(other); ok {
		t.Error("credentials made for OPTIONS admitted an INVITE")
	}
	late := req(sip.INVITE, chal, "trunk", trunk.Password)
	now = now.Add(nonceLife + time.Second)
	if ok, stale := a.check(late); ok || !stale {
		t.Errorf("expired nonce: ok %v stale %v", ok, stale)
	}
}

// Any Authorization header: no panic, and nothing but the right response
// to one of our nonces passes.
func FuzzDigestCheck(f *testing.F) {
	a := newDigestAuth(*trunk)
	f.Add(`Digest username="trunk", realm="hearth", nonce="` + a.nonce(time.Now()) + `", uri="sip:x", response="00", qop=auth, nc=00000001, cnonce="c"`)
	f.Add("Digest garbage")
	f.Add(`Digest username="trunk", realm="hearth", nonce=".", uri="", response=""`)
	f.Fuzz(func(t *testing.T, h string) {
		r := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "127.0.0.1"})
		r.AppendHeader(sip.NewHeader("Authorization", h))
		if ok, _ := a.check(r); ok {
			t.Fatalf("admitted %q", h)
		}
	})
}
