package main

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// videoFlowing counts the page's incoming video streams whose bytes grow
// within d (from the browser's own WebRTC statistics).
func videoFlowing(t *testing.T, p *browsertest.Page, d time.Duration) int {
	t.Helper()
	const bytes = `(async () => { const out = {};
		(await window.hearthRoom.stats()).forEach(r => { if (r.type === "inbound-rtp" && r.kind === "video") out[r.id] = r.bytesReceived || 0; });
		return out; })()`
	if _, err := browsertest.Eval[bool](p, `(async () => { window.videoBytesBefore = await `+bytes+`; return true; })()`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	n, err := browsertest.Eval[int](p, `(async () => { const a = window.videoBytesBefore, b = await `+bytes+`;
		return Object.keys(b).filter(k => b[k] > (a[k] || 0)).length; })()`)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrowserLowBandwidth: two members send camera video, one of them
// muted so the other is the speaker. A member who chose "No video for me"
// on the join page receives no video bytes while another member sees both
// cameras; in the room it switches to "Speaker only" and then receives the
// speaker's video, and only that.
func TestBrowserLowBandwidth(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	createRoom(t, srv, "thin", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/thin/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "video", "")
	waitIn(t, pat, "Pat")
	vic := isolated(t, pat, url)
	joinAs(t, vic, "Vic", "video", "")
	waitIn(t, vic, "Vic")
	click(t, vic, "#btn-mic") // Vic is quiet: Pat stays the speaker
	bob := isolated(t, pat, url)
	joinAs(t, bob, "Bob", "listen", "")
	waitIn(t, bob, "Bob")
	seesVideo(t, bob, "Bob", "Pat")
	seesVideo(t, bob, "Bob", "Vic")

	ann := isolated(t, pat, url)
	if _, err := browsertest.Eval[bool](ann, `document.getElementById("receive").value = "none", true`); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ann, axe, "join page with the video choice")
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	seesVideo(t, bob, "Bob", "Pat") // the cameras are on meanwhile
	if n := videoFlowing(t, ann, 2*time.Second); n != 0 {
		t.Fatalf("no video for me: %d video streams flowing", n)
	}
	if n := videoFlowing(t, bob, 2*time.Second); n != 2 {
		t.Fatalf("everyone's video: %d video streams flowing, want 2", n)
	}

	click(t, ann, "#btn-people")
	if _, err := browsertest.Eval[bool](ann, `(() => { const s = document.getElementById("receive-room");
		s.value = "speaker"; s.dispatchEvent(new Event("change")); return true; })()`); err != nil {
		t.Fatal(err)
	}
	seesVideo(t, ann, "Ann", "Pat")
	if n := videoFlowing(t, ann, 2*time.Second); n != 1 {
		t.Fatalf("speaker only: %d video streams flowing, want 1", n)
	}
	shoot(t, ann, "low-bandwidth-speaker-only")
	checkAxe(t, ann, axe, "people panel with the video choice")
}
