package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// focused describes the focused element and whether its focus is visible
// (a computed outline or box shadow).
const focusedJS = `(() => { const e = document.activeElement; if (!e || e === document.body) return "body|visible";
	const s = getComputedStyle(e);
	const seen = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
	return (e.id || e.getAttribute("aria-label") || e.tagName.toLowerCase() + ":" + e.textContent.trim().slice(0, 20)) + "|" + (seen ? "visible" : "INVISIBLE"); })()`

// press sends keys as real keyboard input (CDP Input events).
func press(t *testing.T, p *browsertest.Page, keys string, mods ...chromedp.Modifier) {
	t.Helper()
	var opts []chromedp.KeyOption
	for _, m := range mods {
		opts = append(opts, chromedp.KeyModifiers(m))
	}
	if err := chromedp.Do(p.Ctx, chromedp.KeyEvent(keys, opts...)); err != nil {
		t.Fatal(err)
	}
}

// tabTo presses Tab (or Shift+Tab) until the focused element's id is want,
// checking that every element on the way shows its focus; it returns the
// ids visited.
func tabTo(t *testing.T, p *browsertest.Page, want string, back bool) []string {
	t.Helper()
	var seen []string
	for range 40 {
		if back {
			press(t, p, kb.Tab, chromedp.ModifierShift)
		} else {
			press(t, p, kb.Tab)
		}
		got, err := browsertest.Eval[string](p, focusedJS)
		if err != nil {
			t.Fatal(err)
		}
		id, vis, _ := strings.Cut(got, "|")
		seen = append(seen, id)
		if vis != "visible" {
			t.Errorf("%s has no visible focus", id)
		}
		if id == want {
			return seen
		}
	}
	t.Fatalf("Tab never reached #%s; visited %v", want, seen)
	return nil
}

func focusIs(t *testing.T, p *browsertest.Page, id string) {
	t.Helper()
	got, _ := browsertest.Eval[string](p, focusedJS)
	if name, _, _ := strings.Cut(got, "|"); name != id {
		t.Fatalf("focus is on %q, want #%s", name, id)
	}
}

// inOrder reports whether want appears in seen in this order.
func inOrder(seen, want []string) bool {
	i := 0
	for _, s := range seen {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	return i == len(want)
}

// A member joins and runs the room with the keyboard alone: Tab and
// Shift+Tab reach every control in order with visible focus, Enter and
// Space press them, the Alt shortcuts open panels and raise a hand, Escape
// closes a panel, the chair panel is claimed and used the same way, and a
// member's buttons in People are reached with Tab and pressed with Enter.
func TestBrowserKeyboardOnly(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "keys", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open(srv.URL + "/m/keys/join")

	tabTo(t, p, "name", false)
	press(t, p, "Kim")
	tabTo(t, p, "join-button", false)
	press(t, p, kb.Enter)
	waitIn(t, p, "Kim")
	focusIs(t, p, "room-title")

	toolbar := []string{"btn-mic", "btn-cam", "btn-hand", "btn-chat", "btn-people", "btn-chair", "btn-leave"}
	if seen := tabTo(t, p, "btn-leave", false); !inOrder(seen, toolbar) {
		t.Errorf("toolbar order %v, want %v", seen, toolbar)
	}
	if seen := tabTo(t, p, "btn-mic", true); !inOrder(seen, []string{"btn-chair", "btn-people", "btn-chat", "btn-hand", "btn-cam", "btn-mic"}) {
		t.Errorf("Shift+Tab order %v", seen)
	}
	press(t, p, " ") // Space mutes
	if err := p.WaitFor(`document.getElementById("btn-mic").getAttribute("aria-pressed") === "false"`, 5*time.Second); err != nil {
		t.Fatalf("Space on the mic button did not mute: %v", err)
	}

	// Alt+C opens the chat on its heading; Tab reaches the box; Enter sends.
	press(t, p, "c", chromedp.ModifierAlt)
	if err := p.WaitFor(`!document.getElementById("chat").hidden`, 5*time.Second); err != nil {
		t.Fatalf("Alt+C did not open the chat: %v", err)
	}
	focusIs(t, p, "chat-title")
	tabTo(t, p, "chat-text", false)
	press(t, p, "typed with keys")
	press(t, p, kb.Enter)
	waitText(t, p, "chat-log", "typed with keys")
	press(t, p, kb.Escape)
	if err := p.WaitFor(`document.getElementById("chat").hidden`, 5*time.Second); err != nil {
		t.Fatalf("Escape did not close the chat: %v", err)
	}
	focusIs(t, p, "btn-chat")

	press(t, p, "y", chromedp.ModifierAlt)
	if err := p.WaitFor(`document.getElementById("btn-hand").getAttribute("aria-pressed") === "true"`, 5*time.Second); err != nil {
		t.Fatalf("Alt+Y did not raise the hand: %v", err)
	}
	press(t, p, "p", chromedp.ModifierAlt)
	if err := p.WaitFor(`!document.getElementById("people").hidden`, 5*time.Second); err != nil {
		t.Fatalf("Alt+P did not open People: %v", err)
	}
	press(t, p, "p", chromedp.ModifierAlt)
	if err := p.WaitFor(`document.getElementById("people").hidden`, 5*time.Second); err != nil {
		t.Fatalf("Alt+P did not close People: %v", err)
	}
	focusIs(t, p, "btn-people")
	lou := isolated(t, p, srv.URL+"/m/keys/join")
	joinAs(t, lou, "Lou", "audio", "")
	waitIn(t, lou, "Lou")

	// The chair panel: open with Enter, claim with the host key, lock with Space.
	tabTo(t, p, "btn-chair", false)
	press(t, p, kb.Enter)
	focusIs(t, p, "chair-title")
	tabTo(t, p, "claim-key", false)
	press(t, p, hostKey)
	press(t, p, kb.Enter)
	if err := p.WaitFor(`!document.getElementById("chair-tools").hidden`, 15*time.Second); err != nil {
		t.Fatalf("claiming chair by keyboard failed: %v", err)
	}
	tabTo(t, p, "ctl-locked", false)
	press(t, p, " ")
	if err := p.WaitFor(`document.getElementById("ctl-locked").checked`, 5*time.Second); err != nil {
		t.Fatalf("Space did not lock the meeting: %v", err)
	}
	seen := tabTo(t, p, "btn-end", false)
	if !inOrder(seen, []string{"ctl-waiting-room", "ctl-chat", "btn-mute-all", "btn-secure", "btn-end"}) {
		t.Errorf("chair panel order %v", seen)
	}
	press(t, p, kb.Escape)
	focusIs(t, p, "btn-chair")

	// People: Tab reaches a member's buttons and Enter mutes Lou; the
	// redrawn entry keeps the focus, now on "Ask to unmute".
	press(t, p, "p", chromedp.ModifierAlt)
	focusIs(t, p, "people-title")
	tabTo(t, p, "Mute: Lou", false)
	press(t, p, kb.Enter)
	if err := lou.WaitFor(`document.getElementById("btn-mic").getAttribute("aria-pressed") === "false"`, 10*time.Second); err != nil {
		t.Fatalf("Enter on Mute did not mute Lou: %v", err)
	}
	if err := p.WaitFor(`document.activeElement.getAttribute("aria-label") === "Ask to unmute: Lou"`, 10*time.Second); err != nil {
		got, _ := browsertest.Eval[string](p, focusedJS)
		t.Fatalf("focus after muting Lou is on %s, want Ask to unmute: Lou: %v", got, err)
	}
}
