package main

import (
	"encoding/json"
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
	click(t, admin, `button[aria-label="Readings of group Lakeshore Online AA"]`)
	waitText(t, admin, "readings-title", "Readings of Lakeshore Online AA")
	if err := admin.WaitFor(`document.querySelectorAll("#reading-edit-list > li").length === 3`, 10*time.Second); err != nil {
		t.Fatalf("demo readings not listed: %v", err)
	}
	// A new reading without a title: the API's reason shows beside the form.
	click(t, admin, "#reading-add")
	if _, err := browsertest.Eval[bool](admin, `(() => { const li = document.querySelector("#reading-edit-list > li:last-child");
		li.querySelector("textarea").value = "We keep *this* short.\n\nA second paragraph."; return true; })()`); err != nil {
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

// TestBrowserReadingsAdmin: the admin page edits a group's readings.
func TestBrowserReadingsAdmin(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	b := browsertest.Launch(t, browsertest.Options{})
	adminReadings(t, b, srv.URL, axe)
}
