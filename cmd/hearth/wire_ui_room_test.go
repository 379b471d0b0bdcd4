package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

const testAdminToken = "a-test-admin-token-123"

// createRoom makes a meeting that is on every day through the API and
// returns its host key.
func createRoom(t *testing.T, srv *httptest.Server, slug string, room map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"slug": slug, "name": "Room " + slug, "group": "lakeshore-aa", "format": "12-step", "program": "AA",
		"timezone": "UTC", "time": "00:00", "duration": 720, "languages": []string{"en"},
		"recurrence": map[string]any{"freq": "weekly", "weekdays": []int{0, 1, 2, 3, 4, 5, 6},
			"start": time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)},
		"room": room,
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/meetings", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		HostKey string `json:"host_key"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != http.StatusCreated || out.HostKey == "" {
		t.Fatalf("create %s: %d %v %s", slug, resp.StatusCode, err, raw)
	}
	return out.HostKey
}

// isolated opens url in a fresh browser context (its own cookies), which is
// how a second person's browser looks to the server.
func isolated(t *testing.T, from *browsertest.Page, url string) *browsertest.Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(from.Ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	return &browsertest.Page{Ctx: ctx}
}

// joinAs fills the join form and presses Join; it does not wait.
func joinAs(t *testing.T, p *browsertest.Page, name, mode, hostKey string) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		document.getElementById("name").value = %q;
		const r = document.querySelector('input[name=mode][value=%q]'); r.checked = true;
		r.dispatchEvent(new Event("change"));
		document.getElementById("hostkey").value = %q;
		setTimeout(() => document.getElementById("join-button").click(), 300);
		return true; })()`, name, mode, hostKey)
	if _, err := browsertest.Eval[bool](p, js); err != nil {
		t.Fatal(err)
	}
}

func waitIn(t *testing.T, p *browsertest.Page, who string) {
	t.Helper()
	if err := p.WaitFor(`!document.getElementById("room").hidden`, 20*time.Second); err != nil {
		st, _ := browsertest.Eval[string](p, `document.getElementById("wait-text").textContent + " | " + document.getElementById("join-error").textContent`)
		t.Fatalf("%s did not get into the room: %v (%s)", who, err, st)
	}
}

// seesVideoOf waits until the page decodes video from the named member.
const tileOf = `[...document.querySelectorAll("#grid figure.tile")].find(f => f.getAttribute("aria-label") === %q)`

func seesVideo(t *testing.T, p *browsertest.Page, viewer, name string) {
	t.Helper()
	expr := fmt.Sprintf(`(() => { const f = `+tileOf+`; return !!f && f.querySelector("video").videoWidth > 0; })()`, name)
	if err := p.WaitFor(expr, 20*time.Second); err != nil {
		t.Fatalf("%s does not see %s's video: %v", viewer, name, err)
	}
}

// hears measures the audio energy of the named member's stream for a
// while; Chromium's fake microphone beeps, so a live stream is never silent.
func hears(t *testing.T, p *browsertest.Page, listener, name string) {
	t.Helper()
	expr := fmt.Sprintf(`(async () => {
		const f = `+tileOf+`; if (!f) return false;
		const s = f.querySelector("video").srcObject; if (!s || !s.getAudioTracks().length) return false;
		const ctx = new AudioContext(); const a = ctx.createAnalyser();
		ctx.createMediaStreamSource(s).connect(a);
		const buf = new Float32Array(a.fftSize); let peak = 0;
		for (let i = 0; i < 40; i++) {
			await new Promise(r => setTimeout(r, 50));
			a.getFloatTimeDomainData(buf);
			for (const v of buf) peak = Math.max(peak, Math.abs(v));
		}
		ctx.close(); return peak > 0.01; })()`, name)
	if err := p.WaitFor(expr, 20*time.Second); err != nil {
		t.Fatalf("%s does not hear %s: %v", listener, name, err)
	}
}

// Joining with camera, with audio only and listening only; the members see
// and hear each other, and the listener publishes nothing.
func TestBrowserJoinModes(t *testing.T) {
	srv := testApp(t, true)
	createRoom(t, srv, "open-room", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/open-room/join"

	ann := b.Open(url)
	joinAs(t, ann, "Ann", "video", "")
	waitIn(t, ann, "Ann")
	bob := isolated(t, ann, url)
	joinAs(t, bob, "Bob", "audio", "")
	waitIn(t, bob, "Bob")
	cy := isolated(t, ann, url)
	joinAs(t, cy, "Cy", "listen", "")
	waitIn(t, cy, "Cy")

	seesVideo(t, bob, "Bob", "Ann")
	seesVideo(t, cy, "Cy", "Ann")
	hears(t, ann, "Ann", "Bob")
	hears(t, bob, "Bob", "Ann")
	hears(t, cy, "Cy", "Bob")
	for _, st := range []struct {
		p          *browsertest.Page
		name, want string
	}{
		{ann, "Ann", "Mic on|Camera on"}, {bob, "Bob", "Mic on|Camera off"}, {cy, "Cy", "Mic off|Camera off|disabled"},
	} {
		got, err := browsertest.Eval[string](st.p, `[document.getElementById("btn-mic").textContent, document.getElementById("btn-cam").textContent].join("|") + (document.getElementById("btn-mic").disabled ? "|disabled" : "")`)
		if err != nil || got != st.want {
			t.Errorf("%s's controls: %q, want %q (%v)", st.name, got, st.want, err)
		}
	}
	// The listener is on everyone's list but sends no audio.
	if err := ann.WaitFor(`document.getElementById("people-list").textContent.includes("Cy · muted")`, 10*time.Second); err != nil {
		t.Error(err)
	}
	shoot(t, ann, "room-three")
	checkAxe(t, ann, axeSource(t), "room")

	// Alt+V turns Bob's camera on without rejoining; Ann then sees it.
	if _, err := browsertest.Eval[bool](bob, `document.dispatchEvent(new KeyboardEvent("keydown", {key: "v", altKey: true})), true`); err != nil {
		t.Fatal(err)
	}
	seesVideo(t, ann, "Ann", "Bob")

	// Bob renames himself; Ann's tile follows.
	if _, err := browsertest.Eval[bool](bob, `document.getElementById("rename-name").value = "Robert", true`); err != nil {
		t.Fatal(err)
	}
	click(t, bob, "#rename-form button")
	seesVideo(t, ann, "Ann", "Robert")

	click(t, cy, "#btn-leave")
	waitText(t, cy, "wait-title", "You left the meeting")
	if err := ann.WaitFor(`!document.getElementById("people-list").textContent.includes("Cy")`, 10*time.Second); err != nil {
		t.Errorf("Cy still listed after leaving: %v", err)
	}
}

// click presses a button chosen by a CSS selector, saying yes to any
// confirm() it asks.
func click(t *testing.T, p *browsertest.Page, sel string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { window.confirm = () => true; const b = document.querySelector(%q); if (!b) return false; b.click(); return true; })()`, sel)
	ok, err := browsertest.Eval[bool](p, js)
	if err != nil || !ok {
		t.Fatalf("click %s: %v %v", sel, ok, err)
	}
}

func waitText(t *testing.T, p *browsertest.Page, id, text string) {
	t.Helper()
	expr := fmt.Sprintf(`document.getElementById(%q).textContent.includes(%q)`, id, text)
	if err := p.WaitFor(expr, 20*time.Second); err != nil {
		got, _ := browsertest.Eval[string](p, fmt.Sprintf(`document.getElementById(%q).textContent`, id))
		t.Fatalf("#%s never said %q (it says %q): %v", id, text, got, err)
	}
}

// The chair claims the chair with the host key, turns the waiting room on
// and admits a member from it, locks the meeting (a newcomer is refused),
// mutes everyone, and removes a member, who then cannot rejoin.
func TestBrowserChairControls(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "chaired", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/chaired/join"

	chair := b.Open(url)
	joinAs(t, chair, "Pat", "audio", "")
	waitIn(t, chair, "Pat")
	click(t, chair, "#btn-chair")
	if _, err := browsertest.Eval[bool](chair, fmt.Sprintf(`document.getElementById("claim-key").value = %q, true`, hostKey)); err != nil {
		t.Fatal(err)
	}
	click(t, chair, "#claim-form button")
	if err := chair.WaitFor(`!document.getElementById("chair-tools").hidden`, 15*time.Second); err != nil {
		t.Fatalf("chair not granted: %v", err)
	}
	click(t, chair, "#ctl-waiting-room")
	if err := chair.WaitFor(`document.getElementById("ctl-waiting-room").checked`, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	sam := isolated(t, chair, url)
	joinAs(t, sam, "Sam", "audio", "")
	waitText(t, sam, "wait-title", "Waiting to be let in")
	waitText(t, chair, "waiting-list", "Sam")
	shoot(t, chair, "chair-waiting")
	click(t, chair, `#waiting-list button[aria-label="Admit Sam"]`)
	waitIn(t, sam, "Sam")

	// Chat, a raised hand and the share timer reach the other side.
	if _, err := browsertest.Eval[bool](sam, `document.getElementById("chat-text").value = "hello <b>all</b>", true`); err != nil {
		t.Fatal(err)
	}
	click(t, sam, "#chat-form button")
	waitText(t, chair, "chat-log", "hello <b>all</b>")
	click(t, sam, "#btn-hand")
	click(t, chair, "#btn-people")
	waitText(t, chair, "hands-list", "Sam")
	click(t, chair, `#people-list button[aria-label="Share timer: Sam"]`)
	waitText(t, sam, "timer", "Share timer for You")
	shoot(t, chair, "chair-people")

	click(t, chair, "#ctl-locked")
	late := isolated(t, chair, url)
	joinAs(t, late, "Lee", "listen", "")
	waitText(t, late, "wait-text", "This meeting is locked")

	if err := sam.WaitFor(`document.getElementById("btn-mic").getAttribute("aria-pressed") === "true"`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	click(t, chair, "#btn-mute-all")
	if err := sam.WaitFor(`document.getElementById("btn-mic").getAttribute("aria-pressed") === "false"`, 10*time.Second); err != nil {
		t.Fatalf("mute all did not mute Sam: %v", err)
	}

	click(t, chair, `#people-list button[aria-label="Remove: Sam"]`)
	waitText(t, sam, "wait-title", "You were removed")
	waitText(t, sam, "wait-text", "A chair removed you from this meeting")
	if reconnecting, _ := browsertest.Eval[bool](sam, `!document.getElementById("reconnecting").hidden`); reconnecting {
		t.Error("Sam's page tries to reconnect after being removed")
	}
	shoot(t, sam, "removed")
	click(t, chair, "#ctl-locked") // unlock: what stops Sam now is the bar alone
	if err := chair.WaitFor(`!document.getElementById("ctl-locked").checked`, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(sam.Ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	joinAs(t, sam, "Sam again", "listen", "")
	waitText(t, sam, "wait-text", "removed you from this meeting")
	checkAxe(t, chair, axeSource(t), "chair panel")
	shoot(t, chair, "chair-panel")

	// Lee, admitted now that the meeting is unlocked, is there when it ends.
	if err := chromedp.Do(late.Ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	joinAs(t, late, "Lee", "listen", "")
	waitText(t, chair, "waiting-list", "Lee")
	click(t, chair, `#waiting-list button[aria-label="Admit Lee"]`)
	waitIn(t, late, "Lee")

	click(t, chair, "#btn-secure")
	if err := chair.WaitFor(`document.getElementById("ctl-locked").checked && document.getElementById("ctl-chat").value === "chairs" && !document.getElementById("btn-undo-secure").hidden`, 10*time.Second); err != nil {
		t.Fatalf("secure not shown in the switches: %v", err)
	}
	click(t, chair, "#btn-end")
	waitText(t, chair, "wait-title", "The meeting has ended")
	waitText(t, late, "wait-title", "The meeting has ended")
	waitText(t, late, "wait-text", "This meeting has ended")
	if err := chromedp.Do(late.Ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	joinAs(t, late, "Lee", "listen", "")
	waitText(t, late, "wait-text", "This meeting has ended")
}

// A denied camera says what to do; a wrong passcode is refused with words
// and the right one lets the member in. Neither secret reaches a URL.
// besideField: the join form is shown (not a separate page) with focus on
// the refused field, marked invalid and described by its message, and the
// name the member typed is kept.
func besideField(t *testing.T, p *browsertest.Page, id, name string) {
	t.Helper()
	got, err := browsertest.Eval[string](p, fmt.Sprintf(`(() => {
		const f = document.getElementById(%q), bad = [];
		if (document.getElementById("join").hidden || !document.getElementById("wait").hidden) bad.push("not on the join form");
		if (document.activeElement !== f) bad.push("focus on " + (document.activeElement && document.activeElement.id));
		if (f.getAttribute("aria-invalid") !== "true") bad.push("not aria-invalid");
		if (!f.getAttribute("aria-describedby").split(" ").includes(%q + "-error")) bad.push("not described by its message");
		if (!document.getElementById(%q + "-error").checkVisibility()) bad.push("message not visible");
		if (document.getElementById("name").value !== %q) bad.push("name lost");
		if (document.getElementById("join-button").disabled) bad.push("Join disabled");
		return bad.join(", "); })()`, id, id, id, name))
	if err != nil || got != "" {
		t.Errorf("%s refused: %s %v", id, got, err)
	}
}

func TestBrowserPasscodeAndDeniedCamera(t *testing.T) {
	srv := testApp(t, true)
	createRoom(t, srv, "with-code", map[string]any{"max_participants": 10, "passcode": "open sesame"})
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/m/with-code/join")

	deny := `(() => {
		navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
		const r = document.querySelector("input[name=mode][value=video]"); r.checked = true;
		r.dispatchEvent(new Event("change")); return true; })()`
	if _, err := browsertest.Eval[bool](p, deny); err != nil {
		t.Fatal(err)
	}
	waitText(t, p, "join-error", "Your browser blocked the camera and microphone")
	shoot(t, p, "join-denied")

	if err := chromedp.Do(p.Ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	setCode := func(code string) {
		t.Helper()
		if _, err := browsertest.Eval[bool](p, fmt.Sprintf(`document.getElementById("passcode").value = %q, true`, code)); err != nil {
			t.Fatal(err)
		}
	}
	setCode("wrong guess")
	joinAs(t, p, "Kim", "listen", "")
	// A wrong passcode is said beside its field, on the join form itself,
	// with the name kept and focus on the field (issue 12, point 4).
	waitText(t, p, "passcode-error", "That passcode is not right")
	besideField(t, p, "passcode", "Kim")
	checkAxe(t, p, axeSource(t), "join-bad-passcode")
	shoot(t, p, "join-bad-passcode")
	// A wrong host key on the join form is said beside its own field too.
	setCode("open sesame")
	joinAs(t, p, "Kim", "listen", "not the host key")
	waitText(t, p, "hostkey-error", "That host key or admin token was not accepted")
	besideField(t, p, "hostkey", "Kim")
	if open, err := browsertest.Eval[bool](p, `document.querySelector("details.hostkey").open`); err != nil || !open {
		t.Errorf("the host key's section is closed over its message: %v", err)
	}
	shoot(t, p, "join-bad-hostkey")
	setCode("open sesame")
	joinAs(t, p, "Kim", "listen", "")
	waitIn(t, p, "Kim")
	leaked, err := browsertest.Eval[bool](p, `location.href.includes("sesame") || document.body.innerHTML.includes("sesame")`)
	if err != nil || leaked {
		t.Fatalf("passcode visible in the URL or page: %v %v", leaked, err)
	}
}
