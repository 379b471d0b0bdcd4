package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// The room tells the server how tall each member's video is shown, so that
// a phone with small tiles gets the small simulcast layer instead of the
// largest; when the tile shrinks, a new size follows.
func TestBrowserTilesReportTheirSize(t *testing.T) {
	srv := testApp(t, true)
	createRoom(t, srv, "size-room", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/size-room/join"

	ann := b.Open(url)
	// Record what the page sends on its signaling socket (patched on the
	// prototype before joining, so the first sizes are caught too).
	if _, err := browsertest.Eval[bool](ann, `(() => { const send = WebSocket.prototype.send;
		window.sentSizes = [];
		WebSocket.prototype.send = function (d) {
			try { const m = JSON.parse(d); if (m.type === "video-size") window.sentSizes.push(m); } catch (e) {}
			return send.call(this, d);
		}; return true; })()`); err != nil {
		t.Fatal(err)
	}
	joinAs(t, ann, "Ann", "video", "")
	waitIn(t, ann, "Ann")
	bob := isolated(t, ann, url)
	joinAs(t, bob, "Bob", "video", "")
	waitIn(t, bob, "Bob")
	seesVideo(t, ann, "Ann", "Bob")

	bobID := fmt.Sprintf(`(() => { const f = `+tileOf+`; return f ? f.dataset.id : ""; })()`, "Bob")
	sized := fmt.Sprintf(`(() => { const id = %s; return window.sentSizes.some(m => m.id === id && m.height > 0); })()`, bobID)
	if err := ann.WaitFor(sized, 10*time.Second); err != nil {
		got, _ := browsertest.Eval[string](ann, `JSON.stringify(window.sentSizes)`)
		t.Fatalf("Ann never told the server the size of Bob's tile (sent %s): %v", got, err)
	}
	// Shrink Bob's tile as a phone would show it: the new height follows.
	if _, err := browsertest.Eval[bool](ann, fmt.Sprintf(`(() => { const f = `+tileOf+`; f.querySelector("video").style.height = "120px"; f.querySelector("video").style.minHeight = "0"; f.style.height = "auto"; return true; })()`, "Bob")); err != nil {
		t.Fatal(err)
	}
	small := fmt.Sprintf(`(() => { const id = %s; const last = window.sentSizes.filter(m => m.id === id).pop(); return !!last && last.height === 120; })()`, bobID)
	if err := ann.WaitFor(small, 10*time.Second); err != nil {
		got, _ := browsertest.Eval[string](ann, `JSON.stringify(window.sentSizes)`)
		t.Fatalf("the smaller tile's size was not sent (sent %s): %v", got, err)
	}
	seesVideo(t, ann, "Ann", "Bob")
	// The server took the messages: no error shown in the room.
	if errs, _ := browsertest.Eval[string](ann, `document.getElementById("join-error") ? document.getElementById("join-error").textContent : ""`); errs != "" {
		t.Fatalf("room shows an error: %q", errs)
	}
}
