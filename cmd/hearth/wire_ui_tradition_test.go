package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// TestBrowserTradition: the admin page stores a group's 7th-Tradition
// handles (a bad one is refused beside the form, saving nothing); the
// meeting page lists them and the Meeting Guide feed publishes them. In the
// room a member has no way to show the card and a forged request is
// refused; the chair shows it and every page shows the links and their QR
// codes (with their labels), a late joiner too; the chair takes it down for
// everyone. axe finds nothing serious on the card or the admin form.
func TestBrowserTradition(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "seventh", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})

	// Admin: a Cash App tag without its $ is refused by the API; the page
	// says so and keeps the form; the right one is saved.
	admin := b.Open(srv.URL + "/admin/")
	signInAdmin(t, admin, testAdminToken)
	waitText(t, admin, "group-list", "Sunrise Sobriety Group")
	openFold(t, admin, "group-form-fold")
	if _, err := browsertest.Eval[bool](admin, `(() => { const f = document.getElementById("group-form");
		for (const [k, v] of Object.entries({slug: "tradition-group", name: "Tradition Group", venmo: "@tradition-group",
			paypal: "TraditionGroup", tradition_url: "https://example.org/give"})) f.elements[k].value = v;
		f.elements.square.removeAttribute("pattern"); f.elements.square.value = "TraditionGroup";
		f.requestSubmit(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, admin, "group-form-status", "Cash App cashtag")
	checkAxe(t, admin, axe, "admin group form with a refused handle")
	scrollTo(t, admin, "g-venmo")
	shoot(t, admin, "tradition-admin-refused")
	if _, err := browsertest.Eval[bool](admin, `(() => { const f = document.getElementById("group-form");
		f.elements.square.value = "$TraditionGroup"; f.requestSubmit(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, admin, "group-list", "Tradition Group")
	var g struct{ Venmo, Square, PayPal string }
	_, body := get(t, srv.URL+"/api/groups/tradition-group")
	if json.Unmarshal([]byte(body), &g); g.Venmo != "@tradition-group" || g.Square != "$TraditionGroup" || g.PayPal != "TraditionGroup" {
		t.Fatalf("saved group %s", body)
	}

	// The demo's Lakeshore group has a link, a Venmo handle and a PayPal.me
	// name: on the meeting page and in the feed.
	page := b.Open(srv.URL + "/m/seventh")
	waitText(t, page, "trad-title", "7th Tradition")
	for _, want := range []string{"@hearth-demo-lakeshore on Venmo", "HearthDemoLakeshore on PayPal", "Hearth never handles money"} {
		waitText(t, page, "main", want)
	}
	if _, feed := get(t, srv.URL+"/api/meeting-guide.json"); !strings.Contains(feed, `"venmo":"@hearth-demo-lakeshore"`) ||
		!strings.Contains(feed, `"paypal":"HearthDemoLakeshore"`) {
		t.Fatal("the Meeting Guide feed lacks the group's handles")
	}

	url := srv.URL + "/m/seventh/join"
	chair := b.Open(url)
	joinAs(t, chair, "Pat", "listen", hostKey)
	waitIn(t, chair, "Pat")
	ann := isolated(t, chair, url)
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")

	// A member's page offers no way to show it; a forged request is refused.
	if shown, _ := browsertest.Eval[bool](ann, `document.getElementById("chair-tools").hidden`); !shown {
		t.Fatal("a member sees the chair tools")
	}
	if _, err := browsertest.Eval[bool](ann, `(() => { document.getElementById("btn-tradition-show").click(); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, ann, "announcer", "Only a chair can do that")
	if hidden, _ := browsertest.Eval[bool](chair, `document.getElementById("tradition-card").hidden`); !hidden {
		t.Fatal("a member's request showed the card")
	}

	click(t, chair, "#btn-chair")
	if _, err := browsertest.Eval[bool](chair, `(() => { document.getElementById("tradition-minutes").value = "2"; return true; })()`); err != nil {
		t.Fatal(err)
	}
	click(t, chair, "#btn-tradition-show")
	for _, p := range []*browsertest.Page{chair, ann} {
		if err := p.WaitFor(`!document.getElementById("tradition-card").hidden`, 10*time.Second); err != nil {
			t.Fatalf("card not shown: %v", err)
		}
	}
	waitText(t, ann, "announcer", "Pat is showing the 7th Tradition card")
	qr, err := browsertest.Eval[string](ann, `[...document.querySelectorAll("#tradition-card svg.qr")]
		.map(s => s.getAttribute("role") + ":" + s.getAttribute("aria-label") + ":" + (s.querySelector("path").getAttribute("d").length > 100)).join("|")`)
	if err != nil || !strings.Contains(qr, "img:QR code: @hearth-demo-lakeshore on Venmo:true") || strings.Count(qr, "img:QR code") != 3 {
		t.Fatalf("QR codes on the card: %q (%v)", qr, err)
	}
	shoot(t, ann, "tradition-card-member")
	checkAxe(t, ann, axe, "7th Tradition card")
	scrollTo(t, chair, "tradition-minutes")
	shoot(t, chair, "tradition-card-chair")
	scrollTo(t, chair, "tradition-title")
	shoot(t, chair, "tradition-card-chair-top")
	checkAxe(t, chair, axe, "chair panel with the 7th Tradition card")

	late := isolated(t, chair, url)
	joinAs(t, late, "Lee", "listen", "")
	waitIn(t, late, "Lee")
	if err := late.WaitFor(`!document.getElementById("tradition-card").hidden`, 10*time.Second); err != nil {
		t.Fatalf("a late joiner does not see the card: %v", err)
	}

	click(t, chair, "#btn-tradition-hide")
	for i, p := range []*browsertest.Page{chair, ann, late} {
		if err := p.WaitFor(`document.getElementById("tradition-card").hidden`, 10*time.Second); err != nil {
			t.Fatalf("page %d: card still up after Take down: %v", i, err)
		}
	}
	waitText(t, ann, "announcer", "taken down")
}

// scrollTo brings the element with id into view, for a screenshot of it.
func scrollTo(t *testing.T, p *browsertest.Page, id string) {
	t.Helper()
	if _, err := browsertest.Eval[bool](p, `(() => { document.getElementById("`+id+`").scrollIntoView({block: "center"}); return true; })()`); err != nil {
		t.Fatal(err)
	}
}
