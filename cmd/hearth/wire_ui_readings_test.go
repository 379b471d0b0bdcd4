package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// adminReadings: on the admin page the Lakeshore group's demo readings are
// listed; an admin adds one, moves it to the top and deletes another, all
// saved in one write; a reading without a title is refused beside the
// form and nothing changes. axe finds nothing serious on the form. Returns
// the group's readings as stored.
func adminReadings(t *testing.T, b *browsertest.Browser, srvURL, axe string) []struct {
	ID    int64
	Title string
	Text  string
} {
	t.Helper()
	admin := b.Open(srvURL + "/admin/")
	signInAdmin(t, admin, testAdminToken)
	waitText(t, admin, "group-list", "Lakeshore Online AA")
	openFold(t, admin, "group-fold")
	click(t, admin, `button[aria-label="Readings of group Lakeshore Online AA"]`)
	waitText(t, admin, "readings-title", "Readings of Lakeshore Online AA")
	if err := admin.WaitFor(`document.querySelectorAll("#reading-edit-list > li").length === 3`, 10*time.Second); err != nil {
		t.Fatalf("demo readings not listed: %v", err)
	}
	// A new reading without a title: the API's reason shows beside the form.
	click(t, admin, "#reading-add")
	if _, err := browsertest.Eval[bool](admin, `(() => { const li = document.querySelector("#reading-edit-list > li:last-child");
		li.querySelector("textarea").value = Array.from({length: 14}, (_, i) => "Paragraph " + (i + 1) +
			" of our opening: we *welcome* everyone, and we read this together at the start of the meeting so that newcomers know what to expect.").join("\n\n");
		return true; })()`); err != nil {
		t.Fatal(err)
	}
	click(t, admin, `#readings-form button[type="submit"]`)
	waitText(t, admin, "readings-status", "readings[3].title")
	checkAxe(t, admin, axe, "admin readings form with a refused reading")
	scrollTo(t, admin, "readings-title")
	shoot(t, admin, "readings-admin-refused")
	// Title it, move it to the top, delete "Our traditions (demo)", save.
	if _, err := browsertest.Eval[bool](admin, `(() => { document.querySelector("#reading-edit-list > li:last-child input").value = "Opening statement"; return true; })()`); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"4", "3", "2"} {
		click(t, admin, `#reading-edit-list > li:nth-child(`+n+`) button[data-action="up"]`)
	}
	waitText(t, admin, "readings-status", "Opening statement is now number 1")
	click(t, admin, `button[aria-label="Delete reading Our traditions (demo)"]`)
	waitText(t, admin, "readings-status", "save the readings")
	click(t, admin, `#readings-form button[type="submit"]`)
	waitText(t, admin, "readings-status", "Readings of Lakeshore Online AA saved")
	checkAxe(t, admin, axe, "admin readings form")
	var out struct {
		Readings []struct {
			ID    int64
			Title string
			Text  string
		}
	}
	_, body := get(t, srvURL+"/api/groups/lakeshore-aa/readings")
	if json.Unmarshal([]byte(body), &out); len(out.Readings) != 3 || out.Readings[0].Title != "Opening statement" ||
		out.Readings[1].Title != "Preamble (demo)" || out.Readings[2].Title != "How it works here" {
		t.Fatalf("saved readings %s", body)
	}
	return out.Readings
}

// TestBrowserReadings: an admin edits the group's readings (adminReadings);
// in the room a member cannot show or move one (a forged request is
// refused, not-reader); the chair shows one and every page shows its text,
// announced once; the member follows the chair's Next, scrolls away, stays
// there while the chair moves on, and goes back to the reader; the member
// enlarges the text; the chair names the member reader, whose Next moves
// everyone; Secure takes the role away and the member's forged move is
// refused again; a late joiner gets the reading at the reader's paragraph;
// the chair closes it for everyone. axe finds nothing serious on the panel;
// screenshots at phone and desktop size, with the chair panel open too.
func TestBrowserReadings(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	b := browsertest.Launch(t, browsertest.Options{})
	adminReadings(t, b, srv.URL, axe)
	hostKey := createRoom(t, srv, "readings", map[string]any{"max_participants": 10})

	url := srv.URL + "/m/readings/join"
	chair := b.Open(url)
	joinAs(t, chair, "Pat", "listen", hostKey)
	waitIn(t, chair, "Pat")
	ann := isolated(t, chair, url)
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	annID, err := browsertest.Eval[string](ann, `window.hearthRoom.selfId()`)
	if err != nil || annID == "" {
		t.Fatalf("Ann's id %q (%v)", annID, err)
	}

	// A member has no Reading button; a forged show is refused.
	if hidden, _ := browsertest.Eval[bool](ann, `document.getElementById("btn-reading").hidden`); !hidden {
		t.Fatal("a member who is not the reader is offered readings")
	}
	if _, err := browsertest.Eval[bool](ann, `(() => { const c = document.getElementById("reading-choice");
		c.value = c.options[0].value; document.getElementById("btn-reading-show").click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, ann, "announcer", "Only a chair or the reader can do that")

	// The chair shows the long reading; everyone gets its text.
	click(t, chair, "#btn-reading")
	waitText(t, chair, "reading-choice", "Preamble (demo)")
	if _, err := browsertest.Eval[bool](chair, `(() => { const c = document.getElementById("reading-choice");
		c.value = [...c.options].find(o => o.text === "Opening statement").value; return true; })()`); err != nil {
		t.Fatal(err)
	}
	click(t, chair, "#btn-reading-show")
	if err := ann.WaitFor(`!document.getElementById("reading-panel").hidden &&
		document.querySelectorAll("#reading-text p").length === 14`, 10*time.Second); err != nil {
		t.Fatalf("the reading did not open for the member: %v", err)
	}
	waitText(t, ann, "reading-heading", "Opening statement")
	waitText(t, ann, "announcer", "Pat opened the reading “Opening statement”")
	if em, _ := browsertest.Eval[string](ann, `document.querySelector("#reading-text p em").textContent`); em != "welcome" {
		t.Fatalf("emphasis shown as %q", em)
	}

	// A forged move from the member is refused; the chair's moves reach her.
	if _, err := browsertest.Eval[bool](ann, `(() => { document.getElementById("btn-reading-next").click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, ann, "announcer", "Only a chair or the reader can do that")
	for i := 0; i < 8; i++ {
		click(t, chair, "#btn-reading-next")
		waitCurrent(t, chair, i+1)
	}
	waitCurrent(t, ann, 8)
	waitText(t, ann, "reading-where", "Paragraph 9 of 14")
	if err := ann.WaitFor(`document.getElementById("reading-text").scrollTop > 100`, 10*time.Second); err != nil {
		t.Fatalf("the member's text did not follow the reader: %v", err)
	}
	if said, _ := browsertest.Eval[string](ann, `document.getElementById("announcer").textContent`); strings.Contains(said, "Paragraph 9") {
		t.Fatalf("a move was announced: %q", said)
	}

	// She scrolls away; the chair moves on; she stays until she goes back.
	if err := ann.WaitFor(`(() => { const el = document.getElementById("reading-text"); el.scrollTop = 0;
		el.dispatchEvent(new Event("scroll")); return !document.getElementById("btn-reading-back").hidden; })()`, 10*time.Second); err != nil {
		t.Fatalf("scrolling away offers no way back: %v", err)
	}
	click(t, chair, "#btn-reading-next")
	waitCurrent(t, ann, 9)
	if top, _ := browsertest.Eval[float64](ann, `document.getElementById("reading-text").scrollTop`); top > 5 {
		t.Fatalf("the member's text followed the reader while she read elsewhere (scrollTop %v)", top)
	}
	click(t, ann, "#btn-reading-back")
	if err := ann.WaitFor(`document.getElementById("reading-text").scrollTop > 100 && document.getElementById("btn-reading-back").hidden`, 10*time.Second); err != nil {
		t.Fatalf("Back to the reader did not go back: %v", err)
	}

	// A page starts at the middle size; A+ enlarges the text.
	if off, _ := browsertest.Eval[bool](chair, `document.getElementById("btn-reading-smaller").disabled`); off {
		t.Fatal("a new page starts at the smallest text size")
	}
	before, _ := browsertest.Eval[float64](ann, `parseFloat(getComputedStyle(document.querySelector("#reading-text p")).fontSize)`)
	click(t, ann, "#btn-reading-larger")
	click(t, ann, "#btn-reading-larger")
	after, _ := browsertest.Eval[float64](ann, `parseFloat(getComputedStyle(document.querySelector("#reading-text p")).fontSize)`)
	if after <= before {
		t.Fatalf("A+ left the text at %vpx (was %vpx)", after, before)
	}
	checkAxe(t, ann, axe, "reading panel (member)")
	shoot(t, ann, "readings-member")

	// The chair names Ann reader from People; her Next moves everyone.
	if _, err := browsertest.Eval[bool](chair, `(() => { [...document.querySelectorAll('#people-list li[data-id="`+annID+`"] button')]
		.find(b => b.textContent === "Make reader").click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, ann, "announcer", "You are the reader")
	if err := ann.WaitFor(`!document.getElementById("reading-nav").hidden`, 10*time.Second); err != nil {
		t.Fatalf("the reader has no Previous/Next: %v", err)
	}
	waitText(t, chair, "reading-by", "Ann is reading")
	click(t, ann, "#btn-reading-next")
	waitCurrent(t, chair, 10)
	shoot(t, ann, "readings-reader")

	click(t, chair, "#btn-chair")
	checkAxe(t, chair, axe, "reading panel with the chair panel")
	shoot(t, chair, "readings-chair")

	// Secure takes the role away: her page loses the buttons, a forged
	// move is refused.
	click(t, chair, "#btn-secure")
	waitText(t, ann, "announcer", "You are no longer the reader")
	if err := ann.WaitFor(`document.getElementById("reading-nav").hidden`, 10*time.Second); err != nil {
		t.Fatalf("Secure left the member the reader's buttons: %v", err)
	}
	if _, err := browsertest.Eval[bool](ann, `(() => { document.getElementById("btn-reading-next").click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, ann, "announcer", "Only a chair or the reader can do that")
	if cur, _ := browsertest.Eval[string](chair, `document.getElementById("reading-where").textContent`); cur != "Paragraph 11 of 14" {
		t.Fatalf("after the refused move the chair is at %q", cur)
	}

	// A late joiner gets the reading where the reader is. (Secure locked
	// the room: unlock it first.)
	click(t, chair, "#btn-undo-secure")
	late := isolated(t, chair, url)
	joinAs(t, late, "Lee", "listen", "")
	waitIn(t, late, "Lee")
	waitCurrent(t, late, 10)
	waitText(t, late, "reading-heading", "Opening statement")

	click(t, chair, "#btn-reading-close")
	for i, p := range []*browsertest.Page{ann, late} {
		if err := p.WaitFor(`document.getElementById("reading-panel").hidden && document.getElementById("btn-reading").hidden`, 10*time.Second); err != nil {
			t.Fatalf("page %d: the reading is still open after Close for everyone: %v", i, err)
		}
	}
	waitText(t, ann, "announcer", "The reading was closed")
}

// waitCurrent waits until the page marks paragraph i (0-based) as the
// reader's.
func waitCurrent(t *testing.T, p *browsertest.Page, i int) {
	t.Helper()
	js := fmt.Sprintf(`document.querySelector("#reading-text p.current")?.dataset.i === "%d"`, i)
	if err := p.WaitFor(js, 10*time.Second); err != nil {
		got, _ := browsertest.Eval[string](p, `document.querySelector("#reading-text p.current")?.dataset.i || "none"`)
		t.Fatalf("current paragraph %s, want %d: %v", got, i, err)
	}
}
