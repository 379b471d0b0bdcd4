package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// catchUncaught records the page's uncaught errors and rejected promises in
// window.uncaught, from now on.
func catchUncaught(t *testing.T, p *browsertest.Page) {
	t.Helper()
	if _, err := browsertest.Eval[bool](p, `(() => { window.uncaught = [];
		addEventListener("error", (e) => window.uncaught.push(String(e.message)));
		addEventListener("unhandledrejection", (e) => window.uncaught.push(String(e.reason && e.reason.message || e.reason)));
		return true; })()`); err != nil {
		t.Fatal(err)
	}
}

func noUncaught(t *testing.T, p *browsertest.Page, who string) {
	t.Helper()
	got, err := browsertest.Eval[[]string](p, `window.uncaught`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("%s's page threw: %q", who, got)
	}
}

// saidInOrder: the page announced each of want, in this order (other
// announcements may come between).
func saidInOrder(t *testing.T, p *browsertest.Page, who string, want ...string) {
	t.Helper()
	for _, w := range want {
		waitSaid(t, p, w)
	}
	said, _ := browsertest.Eval[[]string](p, `window.said`)
	i := 0
	for _, s := range said {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("%s heard %q, not %q in this order", who, said, want)
	}
}

// landmarksNest fails on axe's landmark rules (moderate), which the room
// broke with its panels nested in other landmarks.
func landmarksNest(t *testing.T, p *browsertest.Page, what string) {
	t.Helper()
	found, err := browsertest.Eval[[]string](p, `axe.run(document).then(r => r.violations
		.filter(v => v.id.startsWith("landmark") || v.id === "region")
		.map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range found {
		t.Errorf("%s: axe: %s", what, v)
	}
}

// What a chair hears, each event its own announcement, recorded from the
// live region as it changes: hands up and down (which every member also
// sees, in order), a rename, chat (once, with the chat panel open), the
// waiting room, each part of Secure, a removal; a wrong host key in the
// claim form is written beside the field; a link out of the room asks
// first; "You left" rejoins; the ended screen and a refused join say when
// the meeting meets next, in the member's language and zone; no uncaught
// error on a listen-only join or on Try again.
func TestBrowserChairHearsEachEvent(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "heard", map[string]any{"max_participants": 10})
	axe := axeSource(t)
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/heard/join"

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "audio", hostKey)
	waitIn(t, pat, "Pat")
	waitFor(t, pat, "Pat is not chair", chairShown)
	listen(t, pat)
	ann := isolated(t, pat, url)
	catchUncaught(t, ann)
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	bob := isolated(t, pat, url)
	joinAs(t, bob, "Bob", "audio", "")
	waitIn(t, bob, "Bob")

	// The header's link asks first; "no" keeps Ann in the meeting.
	answerConfirm(t, ann, false)
	if _, err := browsertest.Eval[bool](ann, `document.querySelector("header.site a.brand").click(), true`); err != nil {
		t.Fatal(err)
	}
	if asked, _ := browsertest.Eval[int](ann, `window.asked`); asked != 1 {
		t.Errorf("leaving by the header link asked %d times, want once", asked)
	}
	if in, _ := browsertest.Eval[bool](ann, `!document.getElementById("room").hidden && location.pathname.endsWith("/join")`); !in {
		t.Fatal("Ann left the room although she said no")
	}
	// Leave, then Rejoin in one press.
	click(t, ann, "#btn-leave")
	waitText(t, ann, "wait-title", "You left the meeting")
	waitExact(t, ann, `document.getElementById("wait-retry").textContent`, "Rejoin")
	click(t, ann, "#wait-retry")
	waitIn(t, ann, "Ann (rejoining)")
	noUncaught(t, ann, "Ann (listen-only join, leave, rejoin)")

	click(t, pat, "#btn-people")
	click(t, pat, "#btn-chat")
	click(t, ann, "#btn-people")
	click(t, ann, "#btn-chat")
	listen(t, ann)

	// Hands: the chair hears each, a member sees the queue in order.
	click(t, bob, "#btn-hand")
	waitSaid(t, pat, "Bob raised a hand.")
	waitSaid(t, ann, "Bob raised a hand.")
	click(t, pat, "#btn-hand")
	waitText(t, ann, "hands-list", "Pat")
	waitExact(t, ann, `[...document.querySelectorAll("#hands-list li")].map(li => li.textContent).join("|")`, "Bob|Pat")
	waitText(t, ann, "people-list", "Bob · hand raised #1")
	if hasButton(t, ann, "Lower hand: Bob") {
		t.Error("a member is offered to lower another's hand")
	}
	click(t, bob, "#btn-hand")
	waitSaid(t, pat, "Bob lowered a hand.")
	click(t, pat, "#btn-hand")

	// A rename.
	if _, err := browsertest.Eval[bool](bob, `document.getElementById("rename-name").value = "Robert", true`); err != nil {
		t.Fatal(err)
	}
	click(t, bob, "#rename-form button")
	waitSaid(t, pat, "Bob is now called Robert.")

	// Chat with the chat panel open is read once: the log is no live region.
	if _, err := browsertest.Eval[bool](pat, `document.getElementById("chat-text").value = "hello all", true`); err != nil {
		t.Fatal(err)
	}
	click(t, pat, "#chat-form button")
	waitText(t, ann, "chat-log", "hello all")
	waitSaid(t, ann, "Chat from Pat: hello all")
	live, err := browsertest.Eval[[]string](ann, `[...document.querySelectorAll("#room [aria-live], #room [role=log], #room [role=status], #room [role=alert]")]
		.filter(e => e.textContent.includes("hello all")).map(e => e.id)`)
	if err != nil || !slices.Equal(live, []string{"announcer"}) {
		t.Errorf("the chat message is in these live regions: %q (%v), want the announcer alone", live, err)
	}

	// A wrong host key in the room's claim form: words beside the field.
	click(t, ann, "#btn-chair")
	if _, err := browsertest.Eval[bool](ann, `document.getElementById("claim-key").value = "wrong-key", true`); err != nil {
		t.Fatal(err)
	}
	click(t, ann, "#claim-form button")
	waitText(t, ann, "claim-error", "was not accepted")
	beside, err := browsertest.Eval[bool](ann, `(() => { const e = document.getElementById("claim-error"), f = document.getElementById("claim-key");
		const r = e.getBoundingClientRect(), k = f.getBoundingClientRect();
		return e.checkVisibility() && r.height > 0 && Math.abs(r.top - k.bottom) < 80 && f.getAttribute("aria-describedby") === "claim-error"; })()`)
	if err != nil || !beside {
		t.Errorf("the claim error is not shown beside the field (%v)", err)
	}

	// The waiting room: the chair hears someone waiting.
	click(t, pat, "#btn-chair")
	click(t, pat, "#ctl-waiting-room")
	cy := isolated(t, pat, url)
	joinAs(t, cy, "Cy", "listen", "")
	waitSaid(t, pat, "1 person is waiting to be let in.")
	waitText(t, pat, "waiting-list", "Cy")

	// Every panel open, axe light and dark, landmarks not nested.
	checkAxe(t, pat, axe, "room with the people, chat and chair panels open")
	landmarksNest(t, pat, "room with every panel open")

	// Secure: each of its announcements is spoken, in turn.
	click(t, pat, "#btn-secure")
	saidInOrder(t, pat, "Pat", "The meeting is now locked.", "A chair muted everyone.", "A chair secured the meeting.")

	// Locked: a listen-only newcomer is refused; Try again throws nothing.
	dee := isolated(t, pat, url)
	catchUncaught(t, dee)
	joinAs(t, dee, "Dee", "listen", "")
	waitText(t, dee, "wait-text", "This meeting is locked")
	click(t, dee, "#wait-retry")
	waitFor(t, dee, "Try again did not show the join form", `!document.getElementById("join").hidden`)
	noUncaught(t, dee, "Dee (listen-only, refused, Try again)")

	// A removal is told as one, not as a leave.
	pressWhenShown(t, pat, "Remove: Robert")
	waitSaid(t, pat, "A chair removed Robert from the meeting.")
	if said, _ := browsertest.Eval[[]string](pat, `window.said`); slices.Contains(said, "Robert left.") {
		t.Error("the removal was also announced as Robert leaving")
	}

	// The end: the members' ended screen and a later join say when it meets next.
	click(t, pat, "#btn-end")
	waitText(t, ann, "wait-title", "The meeting has ended")
	waitFor(t, ann, "Ann's ended screen does not say when the meeting meets next",
		`document.getElementById("wait-next").checkVisibility() && document.getElementById("wait-next").textContent.startsWith("It meets next on ")`)
	shoot(t, ann, "ended-next")
	es := isolated(t, pat, url+"?lang=es&tz=America/Mexico_City")
	joinAs(t, es, "Eva", "listen", "")
	waitFor(t, es, "the refused join shows no ended screen", `!document.getElementById("wait").hidden`)
	next, err := browsertest.Eval[string](es, `document.getElementById("wait-next").checkVisibility() ? document.getElementById("wait-next").textContent : ""`)
	// The meeting starts at 00:00 UTC every day: 18:00 in Mexico City.
	if err != nil || !strings.HasPrefix(next, "La próxima reunión es el ") || !strings.Contains(next, "18:00") ||
		!strings.Contains(next, "America/Mexico_City") {
		t.Errorf("a Spanish member in Mexico City refused from the ended meeting reads %q (%v)", next, err)
	}
	t.Logf("next meeting, for a Spanish member in Mexico City: %s", next)
}
