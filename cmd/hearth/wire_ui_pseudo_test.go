package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/ui/browsertest"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// scheduleData is every text the schedule's people typed (names, notes,
// reasons, places) and its codes, read from the API: data, not interface.
func scheduleData(t *testing.T, base string) []string {
	t.Helper()
	var ms struct {
		Meetings []struct {
			Slug, Name, Notes, Program, Format, Group, Timezone, Time string
			Types, Languages                                          []string
			Exceptions                                                []struct{ Reason, Date string }
		}
	}
	var gs struct {
		Groups []struct{ Slug, Name, Description, Location, Program string }
	}
	for path, into := range map[string]any{"/api/meetings?limit=1000": &ms, "/api/groups": &gs} {
		code, body := get(t, base+path)
		if code != 200 || json.Unmarshal([]byte(body), into) != nil {
			t.Fatalf("%s: %d", path, code)
		}
	}
	var out []string
	for _, m := range ms.Meetings {
		out = append(out, m.Slug, m.Name, m.Notes, m.Program, m.Group, m.Timezone, m.Time)
		for _, e := range m.Exceptions {
			out = append(out, e.Reason)
		}
	}
	for _, g := range gs.Groups {
		out = append(out, g.Slug, g.Name, g.Description, g.Location, g.Program)
		// A group's readings are its own words, offered in the room.
		var rs struct{ Readings []struct{ Title string } }
		if code, body := get(t, base+"/api/groups/"+g.Slug+"/readings"); code != 200 || json.Unmarshal([]byte(body), &rs) != nil {
			t.Fatalf("readings of %s: %d", g.Slug, code)
		}
		for _, r := range rs.Readings {
			out = append(out, r.Title)
		}
	}
	// Programs are data too: names the catalogs lack (brands, an admin's
	// own) are shown as stored; names they have are marked.
	var ps struct {
		Programs []struct{ Key, Name, Abbreviation string }
	}
	if code, body := get(t, base+"/api/programs"); code != 200 || json.Unmarshal([]byte(body), &ps) != nil {
		t.Fatalf("/api/programs: %d", code)
	}
	cat, err := i18n.Load(i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := cat.IDs(i18n.Reference)
	for _, p := range ps.Programs {
		if p.Key != "other" {
			out = append(out, p.Key, p.Abbreviation)
			if !slices.Contains(ids, "program."+meetings.ProgramSlug(meetings.Program(p.Key))) {
				out = append(out, p.Name)
			}
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// TestBrowserPseudoLocale renders every page and the room in the en-XA
// pseudo-locale, where every catalog text is wrapped in ⟦ ⟧: whatever is
// left after taking those out must be data (names typed by people, zones,
// numbers), never words from a template, Go or JavaScript.
func TestBrowserPseudoLocale(t *testing.T) {
	srv := testAppWith(t, func(c *serveConfig) { c.PseudoLocale = true })
	hostKey := createRoomIn(t, srv, "pseudo-room", "Pseudo Room", []string{"en"})
	b := browsertest.Launch(t, browsertest.Options{})
	data := scheduleData(t, srv.URL)
	data = append(data, "Pseudo Room", "Ana", "Sam", "Lee", "hello friends", "Hearth", "🌐",
		"English", "Español", "Français", "Português (Brasil)", "en-XA",
		// Chromium's fake devices name themselves.
		"Fake Default Audio Input", "Fake Audio Input 1", "Fake Audio Input 2", "fake_device_0",
		"Fake Default Audio Output", "Fake Audio Output 1", "Fake Audio Output 2")
	check := func(p *browsertest.Page, name string) {
		t.Helper()
		for _, s := range pseudoLeftovers(pageTexts(t, p, true), data) {
			t.Errorf("%s: text outside the catalogs: %q", name, s)
		}
	}
	p := b.Open(srv.URL + "/?lang=en-XA")
	checkLang(t, p, "en-XA")
	for _, path := range []string{"/", "/?format=nope&time=evening&type=zz", "/m/sunrise-spanish", "/m/harbour-family",
		"/subscribe", "/m/nope", "/m/pseudo-room", "/admin/"} {
		if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		check(p, path)
	}
	// The admin pages after signing in: lists, forms and an exception.
	if _, err := browsertest.Eval[bool](p, fmt.Sprintf(`(() => { document.getElementById("token").value = %q;
		document.getElementById("signin-form").requestSubmit(); return true; })()`, testAdminToken)); err != nil {
		t.Fatal(err)
	}
	waitSelector(t, p, "#meeting-list li a")
	waitSelector(t, p, "#group-list li button")
	check(p, "admin signed in")
	// A meeting's own admin page, opened at its exceptions.
	click(t, p, "#meeting-list li a:nth-of-type(2)")
	waitSelector(t, p, "#exception-list li")
	check(p, "admin meeting page")

	// Every browser context (a person) asks for the pseudo-locale by link.
	url := srv.URL + "/m/pseudo-room/join?lang=en-XA"
	chair := b.Open(url)
	check(chair, "join")
	listen(t, chair)
	joinAs(t, chair, "Ana", "video", hostKey)
	waitIn(t, chair, "Ana")
	sam := isolated(t, chair, url)
	listen(t, sam)
	joinAs(t, sam, "Sam", "audio", "")
	waitIn(t, sam, "Sam")
	click(t, sam, "#btn-hand")
	if _, err := browsertest.Eval[bool](sam, `document.getElementById("chat-text").value = "hello friends", true`); err != nil {
		t.Fatal(err)
	}
	click(t, sam, "#chat-form button")
	for _, btn := range []string{"#btn-chair", "#btn-people", "#btn-chat"} {
		click(t, chair, btn)
	}
	waitText(t, chair, "chat-log", "hello friends")
	waitText(t, chair, "hands-list", "Sam")
	click(t, chair, "#ctl-waiting-room")
	lee := isolated(t, chair, url)
	joinAs(t, lee, "Lee", "listen", "")
	waitText(t, chair, "waiting-list", "Lee")
	check(lee, "waiting")
	check(chair, "room chair")
	check(sam, "room member")
	if err := chair.WaitFor(`document.querySelector("#people-list button[aria-label*='Sam']") !== null`, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	click(t, chair, "#people-list li:has(button[aria-label*='Sam']) .member-actions button:last-child")
	if err := sam.WaitFor(`!document.getElementById("wait").hidden`, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	check(sam, "removed")
	for _, who := range []*browsertest.Page{chair, sam} {
		said, _ := browsertest.Eval[[]string](who, `window.said`)
		for _, s := range pseudoLeftovers(said, data) {
			t.Errorf("announcement outside the catalogs: %q", s)
		}
	}
}

var (
	innermostMark = regexp.MustCompile(`⟦[^⟦⟧]*⟧`)
	dataLike      = regexp.MustCompile(`^[\s\d\p{P}\p{S}]*$`)
	zoneName      = regexp.MustCompile(`\b(?:[A-Z][A-Za-z_]+/)+[A-Z][A-Za-z_+-]+\b|\bUTC\b`)
	typeCode      = regexp.MustCompile(`^[0-9A-Z][0-9A-Zx-]{0,5}:`)
	isoDate       = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
)

// pseudoLeftovers strips the marked catalog texts (innermost first, as
// texts nest) and the known data from each text and returns what is left
// when that is more than digits, punctuation and space.
func pseudoLeftovers(texts, data []string) []string {
	// Longer data first, so "SMART Recovery" goes before "SMART".
	data = slices.Clone(data)
	slices.SortFunc(data, func(a, b string) int { return len(b) - len(a) })
	// One pattern for all the data, each a whole word or phrase.
	var alts []string
	for _, d := range data {
		if len(d) >= 2 {
			alts = append(alts, regexp.QuoteMeta(d))
		}
	}
	known := regexp.MustCompile(`(^|[^\pL\pN])(?:` + strings.Join(alts, "|") + `)($|[^\pL\pN])`)
	var out []string
	var lines []string
	for _, s := range texts {
		for innermostMark.MatchString(s) {
			s = innermostMark.ReplaceAllString(s, " ")
		}
		lines = append(lines, strings.Split(s, "\n")...)
	}
	for _, rest := range lines {
		rest = zoneName.ReplaceAllString(rest, " ")
		rest = isoDate.ReplaceAllString(rest, " ")
		rest = typeCode.ReplaceAllString(strings.TrimSpace(rest), " ")
		for known.MatchString(rest) {
			rest = known.ReplaceAllString(rest, "$1 $2")
		}
		if !dataLike.MatchString(rest) {
			out = append(out, strings.Join(strings.Fields(rest), " "))
		}
	}
	return out
}

// TestPseudoLeftoversFinds shows the detector itself: marked texts (nested,
// spanning elements), data, zones, numbers and type codes pass; a word that
// is neither marked nor data is reported.
func TestPseudoLeftoversFinds(t *testing.T) {
	text := "⟦Tímés áré shöwñ íñ \nAmerica/New_York\n.⟧\n⟦Tödáý · ⟦Möñdáý⟧, ⟦Ñövémbér⟧ 23⟧\nW: ⟦Wömén⟧\n" +
		"Pseudo Room\n12 · (3)\nClaim chair\nSam"
	got := pseudoLeftovers([]string{text}, []string{"Pseudo Room", "Sam"})
	if len(got) != 1 || got[0] != "Claim chair" {
		t.Fatalf("leftovers %q, want only \"Claim chair\"", got)
	}
}
