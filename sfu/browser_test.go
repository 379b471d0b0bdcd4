package sfu_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// browserServer serves the signaling at /rtc, ui/static at /static/ and
// the test page at /page.
func browserServer(t *testing.T) string {
	t.Helper()
	level := slog.LevelError
	if os.Getenv("SFU_DEBUG") != "" {
		level = slog.LevelDebug
	}
	s, err := sfu.New(sfu.Config{LoopbackOnly: true}, loadtest.OpenRooms{Max: 10},
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/rtc", s)
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir("../ui/static"))))
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, "testdata/page.html")
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		_ = s.Close()
		hs.Close()
	})
	return hs.URL
}

type member struct {
	page *browsertest.Page
	id   string
}

func join(t *testing.T, b *browsertest.Browser, base, room, name, mode, color string) *member {
	t.Helper()
	return joinQuery(t, b, base, name, url.Values{"room": {room}, "name": {name}, "mode": {mode}, "color": {color}})
}

func joinQuery(t *testing.T, b *browsertest.Browser, base, name string, q url.Values) *member {
	t.Helper()
	p := b.Open(base + "/page?" + q.Encode())
	if err := p.WaitFor(`window.hearth && window.hearth.joined`, 20*time.Second); err != nil {
		t.Fatalf("%s did not join: %v", name, err)
	}
	id, err := browsertest.Eval[string](p, `window.hearth.id`)
	if err != nil {
		t.Fatal(err)
	}
	return &member{page: p, id: id}
}

func (m *member) waitVideo(t *testing.T, from *member, timeout time.Duration) {
	t.Helper()
	if err := m.page.WaitFor(fmt.Sprintf(`window.hearth.frames(%q).then((n) => n > 5)`, from.id), timeout); err != nil {
		t.Fatalf("no video from %s: %v; page state %s", from.id[:8], err, m.state())
	}
}

// state describes the page for failure messages.
func (m *member) state() string {
	s, err := browsertest.Eval[string](m.page, `(async () => JSON.stringify({
		conn: window.hearth.client.pc && window.hearth.client.pc.connectionState,
		signaling: window.hearth.client.pc && window.hearth.client.pc.signalingState,
		streams: Object.keys(window.hearth.streams), videos: Object.keys(window.hearth.videos),
		inbound: await Promise.all(Object.keys(window.hearth.streams).map((id) => window.hearth.inbound(id, "video"))),
		trs: window.hearth.client.pc.getTransceivers().map((t) => [t.mid, t.direction, t.currentDirection, t.receiver.track.id]),
		stats: await window.hearth.client.pc.getStats().then((r) => { const o = []; r.forEach((x) => { if (x.type === "inbound-rtp") o.push([x.kind, x.packetsReceived, x.framesDecoded, x.trackIdentifier, x.mid]); }); return o; }),
		tracks: Object.values(window.hearth.streams).map((s) => s.getTracks().map((t) => t.id)),
		errors: window.hearth.errors}))()`)
	if err != nil {
		return err.Error()
	}
	return s
}

func (m *member) waitAudio(t *testing.T, from *member, timeout time.Duration) {
	t.Helper()
	if err := m.page.WaitFor(fmt.Sprintf(`window.hearth.audio(%q).then((n) => n > 10)`, from.id), timeout); err != nil {
		t.Fatalf("no audio from %s: %v; page state %s", from.id[:8], err, m.state())
	}
}

func TestBrowserTwoMembersSeeAndHear(t *testing.T) {
	b := browsertest.Launch(t, browsertest.Options{})
	base := browserServer(t)
	a := join(t, b, base, "r", "Ann", "video", "")
	c := join(t, b, base, "r", "Cal", "video", "")
	a.waitVideo(t, c, 20*time.Second)
	c.waitVideo(t, a, 20*time.Second)
	a.waitAudio(t, c, 20*time.Second)
	c.waitAudio(t, a, 20*time.Second)
}

func TestBrowserMemberWithoutCameraReceivesVideo(t *testing.T) {
	b := browsertest.Launch(t, browsertest.Options{})
	base := browserServer(t)
	listener := join(t, b, base, "r", "Lee", "audio", "")
	cam := join(t, b, base, "r", "Cam", "video", "")
	listener.waitVideo(t, cam, 20*time.Second)
	cam.waitAudio(t, listener, 20*time.Second)
	sent, err := browsertest.Eval[map[string]int](listener.page, `window.hearth.sent()`)
	if err != nil {
		t.Fatal(err)
	}
	if sent["video"] != 0 {
		t.Errorf("a member with no camera sent %d video packets", sent["video"])
	}
}

// colours that stay far apart after VP8's YUV round trip.
var colours = []struct {
	css string
	rgb [3]int
}{
	{"#ff0000", [3]int{255, 0, 0}},
	{"#00ff00", [3]int{0, 255, 0}},
	{"#0000ff", [3]int{0, 0, 255}},
	{"#ffff00", [3]int{255, 255, 0}},
}

func near(got []int, want [3]int) bool {
	if len(got) != 3 {
		return false
	}
	for i := range 3 {
		if d := got[i] - want[i]; d < -60 || d > 60 {
			return false
		}
	}
	return true
}

// TestBrowserFourMembersRightVideo checks that every member receives each
// other member's own colour. HEARTH_BROWSER_RUNS repeats it (default 3) to
// let rare races show.
func TestBrowserFourMembersRightVideo(t *testing.T) {
	runs := 3
	if n, err := strconv.Atoi(os.Getenv("HEARTH_BROWSER_RUNS")); err == nil && n > 0 {
		runs = n
	}
	b := browsertest.Launch(t, browsertest.Options{})
	for run := range runs {
		base := browserServer(t)
		room := fmt.Sprintf("four-%d", run)
		var ms []*member
		for i, c := range colours {
			ms = append(ms, join(t, b, base, room, fmt.Sprintf("m%d", i), "video", c.css))
		}
		for i, m := range ms {
			for j, from := range ms {
				if i == j {
					continue
				}
				m.waitVideo(t, from, 30*time.Second)
				want := colours[j].rgb
				err := m.page.WaitFor(fmt.Sprintf(`(() => { const c = window.hearth.colour(%q); return !!c && %s; })()`,
					from.id, jsNear(want)), 10*time.Second)
				if err != nil {
					got, _ := browsertest.Eval[[]int](m.page, fmt.Sprintf(`window.hearth.colour(%q)`, from.id))
					t.Fatalf("run %d: m%d sees m%d as %v, want %v", run, i, j, got, want)
				}
			}
		}
		for _, m := range ms {
			m.page.Close()
		}
	}
}

func jsNear(want [3]int) string {
	return fmt.Sprintf(`Math.abs(c[0]-%d) < 60 && Math.abs(c[1]-%d) < 60 && Math.abs(c[2]-%d) < 60`, want[0], want[1], want[2])
}

func TestBrowserLeaveAndRejoin(t *testing.T) {
	b := browsertest.Launch(t, browsertest.Options{})
	base := browserServer(t)
	a := join(t, b, base, "r", "Ann", "video", "#ff0000")
	c := join(t, b, base, "r", "Cal", "video", "#0000ff")
	a.waitVideo(t, c, 20*time.Second)
	if _, err := browsertest.Eval[any](c.page, `window.hearth.client.leave(), true`); err != nil {
		t.Fatal(err)
	}
	if err := a.page.WaitFor(fmt.Sprintf(`window.hearth.left.includes(%q)`, c.id), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	c.page.Close()
	c2 := join(t, b, base, "r", "Cal", "video", "#0000ff")
	a.waitVideo(t, c2, 20*time.Second)
	c2.waitVideo(t, a, 20*time.Second)
}

// TestBrowserCameraAndMicToggle turns the camera and the microphone off and
// on during the meeting, without rejoining: while off, the page sends no
// packets of that kind and the other member receives none.
func TestBrowserCameraAndMicToggle(t *testing.T) {
	b := browsertest.Launch(t, browsertest.Options{})
	base := browserServer(t)
	a := join(t, b, base, "r", "Ann", "video", "#ff0000")
	c := join(t, b, base, "r", "Cal", "listen", "")
	c.waitVideo(t, a, 20*time.Second)
	c.waitAudio(t, a, 20*time.Second)

	if _, err := browsertest.Eval[bool](a.page, `window.hearth.client.setCamera(false).then(() => { window.hearth.client.mute({ audio: false, video: false }); return true; })`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	sent0, _ := browsertest.Eval[map[string]int](a.page, `window.hearth.sent()`)
	frames0, _ := browsertest.Eval[int](c.page, fmt.Sprintf(`window.hearth.frames(%q)`, a.id))
	audio0, _ := browsertest.Eval[int](c.page, fmt.Sprintf(`window.hearth.audio(%q)`, a.id))
	time.Sleep(2 * time.Second)
	sent1, _ := browsertest.Eval[map[string]int](a.page, `window.hearth.sent()`)
	frames1, _ := browsertest.Eval[int](c.page, fmt.Sprintf(`window.hearth.frames(%q)`, a.id))
	audio1, _ := browsertest.Eval[int](c.page, fmt.Sprintf(`window.hearth.audio(%q)`, a.id))
	if sent1["video"] != sent0["video"] || sent1["audio"] != sent0["audio"] {
		t.Errorf("sent while off: %v then %v", sent0, sent1)
	}
	if frames1 != frames0 || audio1 != audio0 {
		t.Errorf("received while off: frames %d->%d, audio %d->%d", frames0, frames1, audio0, audio1)
	}

	// Back on (the page's canvas track is gone, so the camera is Chromium's
	// fake one now): media flows again on the same connection.
	if _, err := browsertest.Eval[bool](a.page, `window.hearth.client.setCamera(true).then(() => { window.hearth.client.mute({ audio: true, video: true }); return true; })`); err != nil {
		t.Fatal(err)
	}
	if err := c.page.WaitFor(fmt.Sprintf(`window.hearth.frames(%q).then((n) => n > %d + 5)`, a.id, frames1), 20*time.Second); err != nil {
		t.Fatalf("video did not resume: %v; %s", err, c.state())
	}
	if err := c.page.WaitFor(fmt.Sprintf(`window.hearth.audio(%q).then((n) => n > %d + 10)`, a.id, audio1), 20*time.Second); err != nil {
		t.Fatalf("audio did not resume: %v", err)
	}
}

// TestBrowserSimulcast publishes Chromium's fake camera (1280x720) as
// simulcast layers; a receiver that shows the video small gets the quarter
// layer, one that shows it large a larger one (Chrome turns the full layer
// on once its own estimate allows).
func TestBrowserSimulcast(t *testing.T) {
	b := browsertest.Launch(t, browsertest.Options{})
	base := browserServer(t)
	pub := joinQuery(t, b, base, "Pub", url.Values{"room": {"r"}, "name": {"Pub"}, "mode": {"video"}, "hd": {"1"}})
	small := join(t, b, base, "r", "Small", "listen", "")
	if _, err := browsertest.Eval[bool](small.page, `window.hearth.client.videoSize("", 120), true`); err != nil {
		t.Fatal(err)
	}
	big := join(t, b, base, "r", "Big", "listen", "")
	small.waitVideo(t, pub, 30*time.Second)
	big.waitVideo(t, pub, 30*time.Second)
	if err := pub.page.WaitFor(`window.hearth.layers().then((l) => l.length === 3 && l.filter((x) => x[2] > 0).length >= 2)`, 20*time.Second); err != nil {
		got, _ := browsertest.Eval[any](pub.page, `window.hearth.layers()`)
		t.Fatalf("the publisher does not send simulcast layers: %v", got)
	}
	heights := func(m *member) string {
		h, _ := browsertest.Eval[int](m.page, fmt.Sprintf(`window.hearth.height(%q)`, pub.id))
		return strconv.Itoa(h)
	}
	if err := small.page.WaitFor(fmt.Sprintf(`window.hearth.height(%q).then((h) => h > 0 && h <= 180)`, pub.id), 20*time.Second); err != nil {
		t.Errorf("small receiver decodes height %s, want the quarter layer", heights(small))
	}
	if err := big.page.WaitFor(fmt.Sprintf(`window.hearth.height(%q).then((h) => h >= 360)`, pub.id), 20*time.Second); err != nil {
		t.Errorf("big receiver decodes height %s, want the full layer", heights(big))
	}
	// The small one enlarges the video: it switches up and keeps decoding.
	if _, err := browsertest.Eval[bool](small.page, fmt.Sprintf(`window.hearth.client.videoSize(%q, 720), true`, pub.id)); err != nil {
		t.Fatal(err)
	}
	if err := small.page.WaitFor(fmt.Sprintf(`window.hearth.height(%q).then((h) => h >= 360)`, pub.id), 20*time.Second); err != nil {
		t.Errorf("after asking for 720 the receiver decodes height %s", heights(small))
	}
}

// TestBrowserPublishesEachCodec forces the camera to each video codec the
// server offers: another member decodes it in that codec.
func TestBrowserPublishesEachCodec(t *testing.T) {
	b := browsertest.Launch(t, browsertest.Options{})
	for _, codec := range []string{"VP8", "VP9", "H264"} {
		t.Run(codec, func(t *testing.T) {
			base := browserServer(t)
			pub := joinQuery(t, b, base, "Pub", url.Values{"room": {"c"}, "name": {"Pub"}, "mode": {"video"}, "codec": {codec}})
			sub := join(t, b, base, "c", "Sub", "listen", "")
			sub.waitVideo(t, pub, 30*time.Second)
			got, err := browsertest.Eval[string](sub.page, fmt.Sprintf(`window.hearth.codec(%q)`, pub.id))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.EqualFold(got, "video/"+codec) {
				out, _ := browsertest.Eval[string](pub.page, `(async () => { const o = []; (await window.hearth.client.pc.getStats()).forEach((x) => { if (x.type === "outbound-rtp" && x.kind === "video") o.push([x.rid, x.encoderImplementation, x.codecId, x.framesEncoded]); if (x.type === "codec") o.push([x.id, x.mimeType, x.payloadType]); }); return JSON.stringify({o, send: RTCRtpSender.getCapabilities("video").codecs.map((c) => c.mimeType + " " + (c.sdpFmtpLine || ""))}); })()`)
				t.Errorf("received %q, want video/%s; publisher: %s", got, codec, out)
			}
			pub.page.Close()
			sub.page.Close()
		})
	}
}
