package dialin

import (
	"github.com/hearth-recovery/hearth/sfu/dialin/dialintest"
	"math"
	"testing"
	"time"
)

// enterMeeting dials and types the meeting ID and PIN; it returns the
// caller's participant id.
func enterMeeting(t *testing.T, h *harness, ph *dialintest.Phone, pin string) string {
	t.Helper()
	ph.Dial(t, h.gw.Port())
	h.wait(t, "answered", "")
	h.wait(t, "prompt-done", "welcome")
	ph.Keys(t, testMeetingID+"#")
	h.wait(t, "prompt-done", "pin")
	ph.Keys(t, pin+"#")
	return h.wait(t, "joined", "").Detail
}

func newPhone(t *testing.T, number string) *dialintest.Phone {
	return dialintest.Start(t, number, sine(toneHz, 8000*120, 8000))
}

// hangUp ends the call from the phone and returns what it heard.
func hangUp(t *testing.T, h *harness, ph *dialintest.Phone) []int16 {
	t.Helper()
	ph.Do(t, "hangup", "")
	h.wait(t, "hangup", "")
	ph.Quit(t)
	return ph.Heard(t)
}

// A caller hears the welcome prompt, types the meeting ID and PIN, is
// seated as "Phone caller 1" (which the chair may change); a browser member hears the caller's tone
// and the caller hears the member's (Opus, decoded in pure Go).
func TestCallerJoinsAndAudioFlowsBothWays(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	chair := joinBrowser(t, h, "monday", testHostKey, "", oggPackets(t, "testdata/tone660.ogg"))
	ph := newPhone(t, "5550100")
	id := enterMeeting(t, h, ph, testPIN)
	for {
		ev := chair.waitControl(t, "joined")
		if ev["subject"] == id {
			if ev["name"] != "Phone caller 1" {
				t.Fatalf("caller shown as %v", ev["name"])
			}
			break
		}
	}
	// A chair may rename a caller, as any member.
	chair.send(map[string]string{"type": "rename-member", "target": id, "name": "Grace on the phone"})
	for ev := chair.waitControl(t, "renamed"); ev["subject"] != id || ev["name"] != "Grace on the phone"; ev = chair.waitControl(t, "renamed") {
	}
	chair.waitHeard(t, 100) // 2 s of the phone's tone reached the browser
	h.wait(t, "prompt-done", "joined")
	chair.waitHeard(t, 100) // and 2 s more while the phone hears the room
	heard := hangUp(t, h, ph)

	if c := bestMatch(heard, decodeULaw(prompt("en", "welcome"))); c < 0.9 {
		t.Fatalf("the welcome prompt is not in what the phone heard (correlation %.2f)", c)
	}
	if n := toneFrames(heard, 660); n < 25 {
		t.Fatalf("the phone heard the browser's 660 Hz tone in %d frames", n)
	}
	if n := toneFrames(heard, toneHz); n > 0 {
		t.Fatalf("the phone heard its own tone back in %d frames", n)
	}
}

func decodeULaw(b []byte) []int16 {
	out := make([]int16, len(b))
	for i, u := range b {
		out[i] = ulawDecode(u)
	}
	return out
}

// bestMatch is the highest normalized correlation of the first second of
// want against heard, over every offset in heard's first 5 s.
func bestMatch(heard, want []int16) float64 {
	want = want[:min(len(want), 8000)]
	var ww float64
	for _, v := range want {
		ww += float64(v) * float64(v)
	}
	best := 0.0
	for off := 0; off+len(want) <= len(heard) && off < 5*8000; off++ {
		var hw, hh float64
		for i, v := range want {
			x := float64(heard[off+i])
			hw += x * float64(v)
			hh += x * x
		}
		if hh > 0 {
			best = max(best, hw/math.Sqrt(hh*ww))
		}
	}
	return best
}

// A meeting of phones only: two callers, no browser, hear each other.
func TestPhonesOnlyMeeting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	a := newPhone(t, "5550110")
	enterMeeting(t, h, a, testPIN)
	b := dialintest.Start(t, "5550111", sine(660, 8000*120, 8000))
	enterMeeting(t, h, b, testPIN)
	// 10 s of both talking (counted in the frames the gateway handed on,
	// 100 a second): the second's "You are in the meeting..." (7 s), then
	// the room.
	for sent := h.gw.toRoom.Load(); h.gw.toRoom.Load() < sent+1000; {
		time.Sleep(20 * time.Millisecond)
	}
	heardByB := hangUp(t, h, b)
	heardByA := hangUp(t, h, a)
	if n := toneFrames(heardByB, toneHz); n < 25 {
		t.Fatalf("the second phone heard the first in %d frames", n)
	}
	if n := toneFrames(heardByA, 660); n < 25 {
		t.Fatalf("the first phone heard the second in %d frames", n)
	}
}
