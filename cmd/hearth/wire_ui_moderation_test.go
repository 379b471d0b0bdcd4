package main

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// framesDecoded sums the video frames the page has decoded so far
// (window.hearthRoom is room.js's test and debugging hook).
func framesDecoded(t *testing.T, p *browsertest.Page) int {
	t.Helper()
	n, err := browsertest.Eval[int](p, `(async () => { let n = 0;
		(await window.hearthRoom.stats()).forEach(r => { if (r.type === "inbound-rtp" && r.kind === "video") n += r.framesDecoded || 0; });
		return n; })()`)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// framesFlow reports whether the page decodes new video frames within d.
func framesFlow(t *testing.T, p *browsertest.Page, d time.Duration) bool {
	t.Helper()
	before := framesDecoded(t, p)
	time.Sleep(d)
	return framesDecoded(t, p) > before
}

// The chair stops one member's camera with "members may start video" off:
// the others stop decoding it and the member's own page cannot restart it.
// The chair makes another member co-chair, whose panel appears and works,
// and deletes a chat message, which disappears on every page.
func TestBrowserModeration(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "moderated", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/moderated/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "audio", hostKey)
	waitIn(t, pat, "Pat")
	sam := isolated(t, pat, url)
	joinAs(t, sam, "Sam", "video", "")
	waitIn(t, sam, "Sam")
	ann := isolated(t, pat, url)
	joinAs(t, ann, "Ann", "audio", "")
	waitIn(t, ann, "Ann")
	dee := isolated(t, pat, url)
	joinAs(t, dee, "Dee", "video", "")
	waitIn(t, dee, "Dee")
	seesVideo(t, ann, "Ann", "Sam")
	seesVideo(t, pat, "Pat", "Dee")
	if _, err := browsertest.Eval[bool](dee, `document.getElementById("btn-cam").click(), true`); err != nil {
		t.Fatal(err) // Dee's camera off: what Ann decodes from now on is Sam's
	}
	if err := dee.WaitFor(`document.getElementById("btn-cam").textContent === "Camera off"`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if !framesFlow(t, ann, 2*time.Second) {
		t.Fatal("Ann decodes no video from Sam before the stop")
	}

	click(t, pat, "#btn-chair")
	if err := pat.WaitFor(`!document.getElementById("chair-tools").hidden`, 15*time.Second); err != nil {
		t.Fatalf("Pat is not chair: %v", err)
	}
	shoot(t, pat, "room-four-chair")
	if _, err := browsertest.Eval[bool](pat, `document.getElementById("chair-tools").scrollIntoView(), true`); err != nil {
		t.Fatal(err)
	}
	shoot(t, pat, "room-four-chair-tools")
	click(t, pat, "#ctl-start-video")
	if err := sam.WaitFor(`window.hearthRoom && document.getElementById("btn-cam").textContent === "Camera on"`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	click(t, pat, "#btn-people")
	click(t, pat, `#people-list button[aria-label="Stop camera: Sam"]`)
	if err := sam.WaitFor(`document.getElementById("btn-cam").getAttribute("aria-pressed") === "false"`, 10*time.Second); err != nil {
		t.Fatalf("Sam's page still shows the camera on: %v", err)
	}
	time.Sleep(time.Second) // frames already in flight
	if framesFlow(t, ann, 2*time.Second) {
		t.Error("Ann still decodes Sam's video after the chair stopped it")
	}
	click(t, sam, "#btn-cam")
	waitText(t, sam, "announcer", "A chair has turned off cameras for now.")
	if got, _ := browsertest.Eval[string](sam, `document.getElementById("btn-cam").textContent`); got != "Camera off" {
		t.Errorf("Sam's camera button says %q after a refused start", got)
	}
	if framesFlow(t, ann, 2*time.Second) {
		t.Error("Sam restarted the camera while members may not start video")
	}

	// Co-chair: Ann's chair panel appears, and her lock reaches Pat.
	click(t, pat, `#people-list button[aria-label="Make co-chair: Ann"]`)
	if err := ann.WaitFor(`!document.getElementById("chair-tools").hidden && document.getElementById("claim-form").hidden`, 10*time.Second); err != nil {
		t.Fatalf("Ann's chair panel did not appear: %v", err)
	}
	waitText(t, pat, "people-list", "Ann · co-chair")
	click(t, ann, "#btn-chair")
	click(t, ann, "#ctl-locked")
	if err := pat.WaitFor(`document.getElementById("ctl-locked").checked`, 10*time.Second); err != nil {
		t.Fatalf("the co-chair's lock did not reach the chair: %v", err)
	}
	click(t, ann, `#people-list button[aria-label="Mute: Sam"]`)
	if err := sam.WaitFor(`document.getElementById("btn-mic").getAttribute("aria-pressed") === "false"`, 10*time.Second); err != nil {
		t.Fatalf("the co-chair's mute did not mute Sam: %v", err)
	}

	// A message deleted by the chair disappears on every page.
	if _, err := browsertest.Eval[bool](sam, `document.getElementById("chat-text").value = "delete me please", true`); err != nil {
		t.Fatal(err)
	}
	click(t, sam, "#chat-form button")
	for _, p := range []*browsertest.Page{pat, sam, ann} {
		waitText(t, p, "chat-log", "delete me please")
	}
	click(t, pat, `#chat-log button[aria-label="Delete message from Sam"]`)
	for i, p := range []*browsertest.Page{pat, sam, ann} {
		if err := p.WaitFor(`!document.getElementById("chat-log").textContent.includes("delete me please")`, 10*time.Second); err != nil {
			t.Errorf("page %d still shows the deleted message: %v", i, err)
		}
	}
}

// cutProxy forwards TCP to a server and can drop every open connection
// without a close frame, which is what a lost network looks like.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex // guards conns
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
		go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
	}
}

// cut closes every connection open now; new ones are accepted as before.
func (p *cutProxy) cut() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // a reset, as when a network goes away
		}
		_ = c.Close()
	}
}

// A lost signaling connection shows the reconnecting banner, which goes
// away after the resume; the member keeps its identity and the others see
// no one leave or join.
func TestBrowserReconnectBanner(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	createRoom(t, srv, "shaky", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/shaky/join"

	ann := b.Open(url)
	joinAs(t, ann, "Ann", "audio", "")
	waitIn(t, ann, "Ann")
	// The banner is up only for the moment a resume takes: axe reads it
	// shown on a page that is not reconnecting.
	if _, err := browsertest.Eval[bool](ann, `document.getElementById("reconnecting").hidden = false, true`); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ann, axe, "the reconnecting banner")
	if _, err := browsertest.Eval[bool](ann, `document.getElementById("reconnecting").hidden = true, true`); err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, strings.TrimPrefix(srv.URL, "http://"))
	bob := isolated(t, ann, "http://"+proxy.ln.Addr().String()+"/m/shaky/join")
	joinAs(t, bob, "Bob", "audio", "")
	waitIn(t, bob, "Bob")
	waitText(t, ann, "people-list", "Bob")
	if _, err := browsertest.Eval[bool](ann, `window.seen = [], window.hearthRoom.onParticipant(m => window.seen.push(m.event)), true`); err != nil {
		t.Fatal(err)
	}
	id, err := browsertest.Eval[string](bob, `window.hearthRoom.selfId()`)
	if err != nil || id == "" {
		t.Fatalf("Bob's id: %q %v", id, err)
	}

	hears(t, ann, "Ann", "Bob")
	proxy.cut()
	if err := bob.WaitFor(`!document.getElementById("reconnecting").hidden`, 10*time.Second); err != nil {
		t.Fatalf("no reconnecting banner after the connection dropped: %v", err)
	}
	shoot(t, bob, "reconnecting")
	if err := bob.WaitFor(`document.getElementById("reconnecting").hidden && !document.getElementById("room").hidden`, 30*time.Second); err != nil {
		st, _ := browsertest.Eval[string](bob, `[document.getElementById("room").hidden, document.getElementById("wait-title").textContent, document.getElementById("wait-text").textContent].join(" | ")`)
		t.Fatalf("the banner did not go away after the resume: %v (room hidden | wait: %s)", err, st)
	}
	if again, _ := browsertest.Eval[string](bob, `window.hearthRoom.selfId()`); again != id {
		t.Errorf("Bob came back as %q, was %q", again, id)
	}
	hears(t, ann, "Ann", "Bob")
	seen, err := browsertest.Eval[[]string](ann, `window.seen`)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range seen {
		if ev == "joined" || ev == "left" {
			t.Errorf("Ann saw Bob %s during the resume (events %v)", ev, seen)
		}
	}
}
