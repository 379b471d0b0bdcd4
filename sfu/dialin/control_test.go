package dialin

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A chair's mute closes the caller's gate: once the mute is announced, not
// one more packet of the caller reaches the member while the caller goes
// on talking; the caller is told.
func TestChairMuteStopsCallerAudio(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chair := joinBrowser(t, h, "monday", testHostKey, "", nil)
	ph := newPhone(t, "5550101")
	id := enterMeeting(t, h, ph, testPIN)
	chair.waitHeard(t, 25)
	chair.control("mute-member", id)
	for {
		ev := chair.waitControl(t, "control")
		if ev["control"] == "mute" && ev["subject"] == id {
			break
		}
	}
	before, sent := chair.packets.Load(), h.gw.toRoom.Load()
	h.wait(t, "prompt-done", "muted")   // the caller heard "You are muted."
	for h.gw.toRoom.Load() < sent+100 { // 2 s more of the caller talking
		time.Sleep(20 * time.Millisecond)
	}
	if got := chair.packets.Load() - before; got != 0 {
		t.Fatalf("%d packets of a muted caller reached the member", got)
	}
	hangUp(t, h, ph)
}

// Remove hangs up the call, and the same number calling again is barred;
// another number is not.
func TestRemoveHangsUpAndBarsTheNumber(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chair := joinBrowser(t, h, "monday", testHostKey, "", nil)
	ph := newPhone(t, "5550102")
	id := enterMeeting(t, h, ph, testPIN)
	chair.control("remove", id)
	h.wait(t, "left", "removed")
	h.wait(t, "prompt-done", "goodbye")
	h.wait(t, "hangup", "")

	ph.Dial(t, h.gw.Port())
	h.wait(t, "prompt-done", "welcome")
	ph.Keys(t, testMeetingID+"#")
	h.wait(t, "prompt-done", "pin")
	ph.Keys(t, testPIN+"#")
	h.wait(t, "refused", "barred")
	h.wait(t, "hangup", "")

	other := newPhone(t, "5550109")
	enterMeeting(t, h, other, testPIN)
	hangUp(t, h, other)
}

// End meeting hangs up every caller.
func TestEndMeetingHangsUpCallers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chair := joinBrowser(t, h, "monday", testHostKey, "", nil)
	ph := newPhone(t, "5550103")
	enterMeeting(t, h, ph, testPIN)
	chair.control("end-meeting", "")
	h.wait(t, "left", "ended")
	h.wait(t, "hangup", "")
}

// Secure (mute all, lock) reaches a caller like any member: the caller
// in the room is muted (no packet reaches the member) and a caller who
// arrives after it is refused, as a browser would be.
func TestSecureMutesCallers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chair := joinBrowser(t, h, "monday", testHostKey, "", nil)
	ph := newPhone(t, "5550104")
	enterMeeting(t, h, ph, testPIN)
	chair.waitHeard(t, 25)
	chair.control("secure", "")
	h.wait(t, "prompt-done", "muted")
	before, sent := chair.packets.Load(), h.gw.toRoom.Load()
	for h.gw.toRoom.Load() < sent+100 {
		time.Sleep(20 * time.Millisecond)
	}
	if got := chair.packets.Load() - before; got != 0 {
		t.Fatalf("%d packets of a caller reached the member after secure", got)
	}
	late := newPhone(t, "5550108")
	late.Dial(t, h.gw.Port())
	h.wait(t, "prompt-done", "welcome")
	late.Keys(t, testMeetingID+"#"+testPIN+"#")
	h.wait(t, "refused", "locked")
	h.wait(t, "hangup", "")
	hangUp(t, h, ph)
}

// The keypad: *9 raises the hand (the chair sees it in the hands queue)
// and lowers it, *6 mutes oneself (no packet reaches the member) and
// unmutes, each with its spoken confirmation.
func TestKeypadHandAndSelfMute(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chair := joinBrowser(t, h, "monday", testHostKey, "", nil)
	ph := newPhone(t, "5550107")
	id := enterMeeting(t, h, ph, testPIN)
	h.wait(t, "prompt-done", "joined")
	chair.waitHeard(t, 25)

	ph.Keys(t, "*9")
	h.wait(t, "prompt-done", "hand-up")
	waitHand(t, chair, id, true)
	ph.Keys(t, "*9")
	h.wait(t, "prompt-done", "hand-down")
	waitHand(t, chair, id, false)

	ph.Keys(t, "*6")
	h.wait(t, "prompt-done", "muted")
	before, sent := chair.packets.Load(), h.gw.toRoom.Load()
	for h.gw.toRoom.Load() < sent+100 { // 2 s more of the caller talking
		time.Sleep(20 * time.Millisecond)
	}
	if got := chair.packets.Load() - before; got != 0 {
		t.Fatalf("%d packets of a self-muted caller reached the member", got)
	}
	ph.Keys(t, "*6")
	h.wait(t, "prompt-done", "unmuted")
	chair.waitHeard(t, 25)
	hangUp(t, h, ph)
}

// The calling number is in no log line at any level, through a call that
// joins, a wrong PIN, a refused call and a digest challenge (the gateway
// and the SFU log to one buffer at debug level).
func TestCallingNumberNeverLogged(t *testing.T) {
	t.Parallel()
	var buf lockedLog
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarnessLog(t, log, nil, netip.MustParsePrefix("127.0.0.0/8"))
	const number = "15557654321"
	ph := newPhone(t, number)
	ph.Dial(t, h.gw.Port())
	h.wait(t, "prompt-done", "welcome")
	ph.Keys(t, testMeetingID+"#")
	h.wait(t, "prompt-done", "pin")
	ph.Keys(t, "99999999#")
	h.wait(t, "prompt-done", "wrong-pin")
	ph.Keys(t, testPIN+"#")
	h.wait(t, "joined", "")
	hangUp(t, h, ph)
	fenced := newHarnessLog(t, log, trunk, netip.MustParsePrefix("192.0.2.0/24"))
	rawSIP(t, fenced.gw, invite(number))
	challenged := newHarnessLog(t, log, trunk)
	rawSIP(t, challenged.gw, invite(number))
	out := buf.String()
	if !strings.Contains(out, "refused a call") {
		t.Fatalf("the log does not show the refused call, so it shows nothing:\n%s", out)
	}
	if strings.Contains(out, number) || strings.Contains(out, "7654321") {
		t.Fatalf("the calling number is in the log:\n%s", out)
	}
}

// lockedLog is a log destination several goroutines write to.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitHand waits until the hands queue the chair sees has id in it (up) or
// not.
func waitHand(t *testing.T, chair *browser, id string, up bool) {
	t.Helper()
	for strings.Contains(fmt.Sprint(chair.waitControl(t, "hands")["hands"]), id) != up {
	}
}

// Three wrong PINs (the meeting's passcode among them: a caller types the
// phone PIN): goodbye and hang up.
func TestWrongPINThreeTimesHangsUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ph := newPhone(t, "5550105")
	ph.Dial(t, h.gw.Port())
	h.wait(t, "prompt-done", "welcome")
	ph.Keys(t, testMeetingID+"#")
	for _, pin := range []string{"11111111", testPasscode, "1111"} {
		h.wait(t, "prompt-done", "pin")
		ph.Keys(t, pin+"#")
		h.wait(t, "prompt-done", "wrong-pin")
	}
	h.wait(t, "prompt-done", "goodbye")
	h.wait(t, "hangup", "")
}

// A peer outside the allow-list gets 403 and no call.
func TestCallFromOutsideAllowListRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, netip.MustParsePrefix("192.0.2.0/24"))
	if got := rawSIP(t, h.gw, invite("5550106")); !strings.HasPrefix(got, "SIP/2.0 403") {
		t.Fatalf("INVITE from outside the allow-list got %q", got)
	}
	// baresip too: its call fails.
	ph := newPhone(t, "5550106")
	ph.Dial(t, h.gw.Port())
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(ph.Output(), "403") {
		if time.Now().After(deadline) {
			t.Fatal("baresip did not see 403")
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case e := <-h.events:
		t.Fatalf("refused call produced %v", e)
	default:
	}
}

func invite(from string) string {
	body := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	return "INVITE sip:hearth@127.0.0.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-test1;rport\r\n" +
		"From: <sip:" + from + "@127.0.0.1>;tag=a1\r\nTo: <sip:hearth@127.0.0.1>\r\n" +
		"Call-ID: test-call-1\r\nCSeq: 1 INVITE\r\nContact: <sip:" + from + "@127.0.0.1:5999>\r\n" +
		"Max-Forwards: 70\r\nContent-Type: application/sdp\r\n" +
		"Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body
}

func itoa(n int) string { return strconv.Itoa(n) }

// rawSIP sends one datagram to the gateway and returns the first final
// response's status line ("" when none comes).
func rawSIP(t *testing.T, gw *Gateway, msg string) string {
	t.Helper()
	line, _, _ := strings.Cut(rawSIPResponse(t, gw, msg), "\r\n")
	return line
}

// rawSIPResponse is rawSIP's whole final response.
func rawSIPResponse(t *testing.T, gw *Gateway, msg string) string {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WriteToUDP([]byte(msg), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: gw.Port()}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			return ""
		}
		if !strings.HasPrefix(string(buf[:n]), "SIP/2.0 1") {
			return string(buf[:n])
		}
	}
}

// A meeting with a waiting room: the caller hears "please wait" (in the
// meeting's language, Spanish), the chair sees "Phone caller 1" waiting
// and admits it.
func TestWaitingRoomAdmitsCaller(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chair := joinBrowser(t, h, "lobby", testHostKey, "", nil)
	ph := newPhone(t, "5550107")
	ph.Dial(t, h.gw.Port())
	h.wait(t, "prompt-done", "welcome")
	ph.Keys(t, lobbyMeetingID+"#")
	h.wait(t, "prompt-done", "waiting")
	var id string
	for id == "" {
		ev := chair.waitControl(t, "waiting-list")
		list, _ := ev["waiting"].([]any)
		for _, w := range list {
			if w, ok := w.(map[string]any); ok && w["name"] == "Phone caller 1" {
				id, _ = w["id"].(string)
			}
		}
	}
	chair.control("admit", id)
	if got := h.wait(t, "joined", "").Detail; got != id {
		t.Fatalf("admitted %s, seated %s", id, got)
	}
	chair.waitHeard(t, 25)
	hangUp(t, h, ph)
}
