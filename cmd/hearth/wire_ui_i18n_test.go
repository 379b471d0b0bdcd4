package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/ui/browsertest"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// Browser tests of Hearth in the member's language: Chromium started with
// --lang=es (fr, pt-BR) browses the schedule and every page, then a member
// joins a meeting held in that language, raises a hand, is muted and is
// removed by the chair. Every visible text, title, label and screen-reader
// announcement on the way must be the catalog's text in that language;
// axe-core must find nothing serious; phone-size pages must not overflow.
// go test -run BrowserLanguages -artifacts -outputdir DIR keeps the
// screenshots.

// browserLanguage is one language under test and a timezone its members
// live in.
type browserLanguage struct {
	tag, zone, meeting string
}

var browserLanguages = []browserLanguage{
	{"es", "America/Mexico_City", "Grupo Serenidad"},
	{"fr", "Europe/Paris", "Groupe Sérénité"},
	{"pt-BR", "America/Sao_Paulo", "Grupo Serenidade"},
}

func TestBrowserLanguages(t *testing.T) {
	axe := axeSource(t)
	cat, err := i18n.Load(i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bl := range browserLanguages {
		t.Run(bl.tag, func(t *testing.T) { browseInLanguage(t, axe, cat, bl) })
	}
}

// launchIn starts Chromium in a language: its UI language and the
// Accept-Language header it sends, as a member's own browser would.
func launchIn(t *testing.T, tag string) *browsertest.Browser {
	return browsertest.Launch(t, browsertest.Options{ExtraFlags: map[string]any{"lang": tag, "accept-lang": tag}})
}

func browseInLanguage(t *testing.T, axe string, cat *i18n.Catalog, bl browserLanguage) {
	l, en := cat.Lang(bl.tag), cat.Lang("en")
	srv := testApp(t, true)
	slug := "serenity-" + strings.ToLower(bl.tag)
	hostKey := createRoomIn(t, srv, slug, bl.meeting, []string{bl.tag})
	b := launchIn(t, bl.tag)

	// The schedule, with no cookie and no ?lang=: the browser's language.
	p := b.Open("about:blank")
	if _, err := chromedp.Call(p.Ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: bl.zone}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(fmt.Sprintf(`document.querySelector("footer strong").textContent === %q`, bl.zone), 10*time.Second); err != nil {
		t.Fatalf("timezone not detected: %v", err)
	}
	checkLang(t, p, bl.tag)
	checkSchedule(t, p, bl)
	pageChecks(t, p, axe, l, en, "home-"+bl.tag)
	for _, page := range []struct{ name, path string }{
		{"meeting", "/m/" + slug}, {"subscribe", "/subscribe"}, {"admin", "/admin/"}, {"not-found", "/m/nope"},
		{"filters", "/?format=nope&time=evening"},
	} {
		if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+page.path)); err != nil {
			t.Fatal(err)
		}
		checkLang(t, p, bl.tag)
		pageChecks(t, p, axe, l, en, page.name+"-"+bl.tag)
	}

	// The room: Ana chairs, Sam joins, raises a hand, is muted and removed.
	url := srv.URL + "/m/" + slug + "/join"
	chair := b.Open(url)
	checkLang(t, chair, bl.tag)
	pageChecks(t, chair, axe, l, en, "join-"+bl.tag)
	listen(t, chair)
	joinAs(t, chair, "Ana", "audio", hostKey)
	waitIn(t, chair, "Ana")
	click(t, chair, "#btn-chair")
	if err := chair.WaitFor(`!document.getElementById("chair-tools").hidden`, 15*time.Second); err != nil {
		t.Fatalf("chair not granted: %v", err)
	}
	sam := isolated(t, chair, url)
	checkLang(t, sam, bl.tag)
	listen(t, sam)
	joinAs(t, sam, "Sam", "audio", "")
	waitIn(t, sam, "Sam")

	click(t, sam, "#btn-hand")
	waitExact(t, sam, `document.getElementById("btn-hand").textContent`, l.T("room.lowerHand"))
	waitSaid(t, chair, l.T("room.handRaised", "Name", "Sam"))
	click(t, chair, "#btn-people")
	mute := l.T("room.act.aria", "Action", l.T("room.act.mute"), "Name", "Sam")
	waitSelector(t, chair, fmt.Sprintf(`#people-list button[aria-label=%q]`, mute))
	click(t, chair, fmt.Sprintf(`#people-list button[aria-label=%q]`, mute))
	waitExact(t, sam, `document.getElementById("btn-mic").textContent`, l.T("room.micOff"))
	waitSaid(t, sam, l.T("room.mutedYou"))
	click(t, chair, "#btn-chat")
	checkChairPanel(t, chair, l)
	pageChecks(t, chair, axe, l, en, "room-chair-"+bl.tag)
	pageChecks(t, sam, axe, l, en, "room-member-"+bl.tag)

	remove := l.T("room.act.aria", "Action", l.T("room.act.remove"), "Name", "Sam")
	click(t, chair, fmt.Sprintf(`#people-list button[aria-label=%q]`, remove))
	waitExact(t, sam, `document.getElementById("wait-title").textContent`, l.T("room.removedTitle"))
	waitExact(t, sam, `document.getElementById("wait-text").textContent`, l.T("room.end.removed"))
	pageChecks(t, sam, axe, l, en, "removed-"+bl.tag)

	// Everything said to a screen reader was the catalog's, in the language.
	checkSaid(t, sam, "Sam", []string{l.N("room.joinedYou", 1), l.T("room.mutedYou")},
		[]string{l.N("room.joinedYou", 1), l.T("room.mutedYou")})
	checkSaid(t, chair, "Ana", []string{l.T("room.handRaised", "Name", "Sam")},
		[]string{l.T("room.joinedAlone"), l.T("room.role.chair"), l.T("room.joined", "Name", "Sam"),
			l.T("room.handRaised", "Name", "Sam"), l.T("room.removedOther", "Name", "Sam")})
}

// createRoomIn is createRoom for a meeting with its own name and languages;
// it returns the host key.
func createRoomIn(t *testing.T, srv *httptest.Server, slug, name string, langs []string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"slug": slug, "name": name, "group": "lakeshore-aa", "format": "12-step", "program": "AA",
		"timezone": "UTC", "time": "00:00", "duration": 720, "languages": langs, "types": []string{"O", "D"},
		"recurrence": map[string]any{"freq": "weekly", "weekdays": []int{0, 1, 2, 3, 4, 5, 6},
			"start": time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)},
		"room": map[string]any{"max_participants": 10},
	})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/meetings", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		HostKey string `json:"host_key"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create %s: %d %v", slug, resp.StatusCode, err)
	}
	return out.HostKey
}

func checkLang(t *testing.T, p *browsertest.Page, tag string) {
	t.Helper()
	got, err := browsertest.Eval[string](p, `document.documentElement.lang`)
	if err != nil || got != tag {
		t.Errorf("<html lang> %q, want %q (%v)", got, tag, err)
	}
}

// checkSchedule compares each day heading and start time with what the
// browser's own CLDR data (ICU) says for the meeting's start in the
// viewer's zone: the weekday in the language, the time on a 24-hour clock.
func checkSchedule(t *testing.T, p *browsertest.Page, bl browserLanguage) {
	t.Helper()
	bad, err := browsertest.Eval[[]string](p, fmt.Sprintf(`(() => {
		const zone = %q, lang = document.documentElement.lang, bad = [];
		const day = new Intl.DateTimeFormat(lang, {weekday: "long", timeZone: zone});
		const clock = new Intl.DateTimeFormat("en-GB", {hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone});
		const sections = [...document.querySelectorAll("section[aria-labelledby^=day-]")];
		if (!sections.length) bad.push("no days listed");
		for (const s of sections) {
			const heading = s.querySelector("h2").textContent.toLocaleLowerCase(lang);
			for (const t of s.querySelectorAll("li.meeting time.when")) {
				const at = new Date(t.getAttribute("datetime"));
				if (!heading.includes(day.format(at).toLocaleLowerCase(lang))) bad.push(heading + " lacks " + day.format(at));
				if (t.textContent.padStart(5, "0") !== clock.format(at)) bad.push(t.textContent + " is not " + clock.format(at));
			}
		}
		return bad; })()`, bl.zone))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("schedule in %s: %s", bl.tag, b)
	}
}

// pageTexts is every text a person can see or hear on the page: visible
// text, the live regions, accessible names, titles and the page title.
// With all, hidden text counts too (the pseudo-locale test).
func pageTexts(t *testing.T, p *browsertest.Page, all bool) []string {
	t.Helper()
	texts, err := browsertest.Eval[[]string](p, fmt.Sprintf(`(() => {
		const all = %t, out = [document.title];
		const skip = (el) => !el || el.closest("script,style,datalist,noscript,template") ||
			(!all && !el.closest("[role=status],[role=alert],[aria-live]") && !el.checkVisibility());
		if (all) {
			// One text, a line per text node: a marked message may hold
			// elements ("⟦Times are shown in <strong>UTC</strong>.⟧").
			// Tile initials are a letter of a name, shown to the eye only.
			const lines = [];
			const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
			for (let n; (n = w.nextNode());) {
				if (!skip(n.parentElement) && !n.parentElement.closest(".initial")) lines.push(n.textContent);
			}
			out.push(lines.join("\n"));
		} else {
			const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
			for (let n; (n = w.nextNode());) {
				const s = n.textContent.trim();
				if (s && !skip(n.parentElement)) out.push(s);
			}
		}
		for (const el of document.querySelectorAll("[aria-label],[title],[placeholder],[alt]")) {
			if (skip(el) && !all) continue;
			for (const a of ["aria-label", "title", "placeholder", "alt"]) {
				const v = el.getAttribute(a);
				if (v && v.trim()) out.push(v.trim());
			}
		}
		return out; })()`, all))
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

// englishLeft lists English catalog texts on the page that its language
// translates: a text equal to one, or holding one of several words.
func englishLeft(texts []string, l, en *i18n.Lang, cat *i18n.Catalog) []string {
	var out []string
	for _, id := range cat.IDs("en") {
		english := en.T(id)
		if english == l.T(id) || strings.Contains(english, "{{") || strings.HasPrefix(id, "type.") ||
			strings.HasPrefix(id, "date.") || strings.HasPrefix(id, "list.") {
			continue
		}
		several := strings.Count(english, " ") >= 1
		for _, s := range texts {
			if s == english || (several && strings.Contains(s, english)) {
				out = append(out, fmt.Sprintf("%q (%s) in %q", english, id, s))
			}
		}
	}
	return out
}

// pageChecks: no English left, axe-core clean, no sideways overflow at
// phone size, and the phone and desktop screenshots.
func pageChecks(t *testing.T, p *browsertest.Page, axe string, l, en *i18n.Lang, name string) {
	t.Helper()
	cat := catalogOf(t)
	for _, e := range englishLeft(pageTexts(t, p, false), l, en, cat) {
		t.Errorf("%s: English left: %s", name, e)
	}
	checkAxe(t, p, axe, name)
	if err := chromedp.Do(p.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	wide, err := browsertest.Eval[[]string](p, `(() => {
		const vw = document.documentElement.clientWidth, out = [];
		if (document.documentElement.scrollWidth > vw) out.push("page " + document.documentElement.scrollWidth + "px");
		for (const el of document.querySelectorAll("body *")) {
			const r = el.getBoundingClientRect();
			if (el.checkVisibility() && r.width > 0 && (r.right > vw + 1 || r.left < -1) && !el.closest(".visually-hidden,.skip"))
				out.push((el.id ? "#" + el.id : el.tagName.toLowerCase() + "." + el.className) + " " + Math.round(r.left) + "-" + Math.round(r.right));
		}
		return out.slice(0, 8); })()`)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wide {
		t.Errorf("%s: wider than a 390px phone: %s", name, w)
	}
	shoot(t, p, name)
}

// catalogOf loads the catalogs once per top-level test.
func catalogOf(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load(i18n.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listen records what the page says to screen readers in window.said.
func listen(t *testing.T, p *browsertest.Page) {
	t.Helper()
	if _, err := browsertest.Eval[bool](p, `(() => { window.said = [];
		const a = document.getElementById("announcer");
		new MutationObserver(() => { const s = a.textContent.trim(); if (s) window.said.push(s); })
			.observe(a, {childList: true, characterData: true, subtree: true});
		return true; })()`); err != nil {
		t.Fatal(err)
	}
}

func waitSaid(t *testing.T, p *browsertest.Page, text string) {
	t.Helper()
	if err := p.WaitFor(fmt.Sprintf(`window.said.includes(%q)`, text), 20*time.Second); err != nil {
		said, _ := browsertest.Eval[[]string](p, `window.said`)
		t.Fatalf("never announced %q (said %q): %v", text, said, err)
	}
}

// checkSaid: the page announced every text of must, and nothing outside may.
func checkSaid(t *testing.T, p *browsertest.Page, who string, must, may []string) {
	t.Helper()
	said, err := browsertest.Eval[[]string](p, `window.said`)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range must {
		if !slices.Contains(said, m) {
			t.Errorf("%s never heard %q (heard %q)", who, m, said)
		}
	}
	for _, s := range said {
		if !slices.Contains(may, s) {
			t.Errorf("%s heard %q, which is not one of the expected catalog texts %q", who, s, may)
		}
	}
}

func waitExact(t *testing.T, p *browsertest.Page, expr, want string) {
	t.Helper()
	if err := p.WaitFor(fmt.Sprintf(`(%s) === %q`, expr, want), 20*time.Second); err != nil {
		got, _ := browsertest.Eval[string](p, expr)
		t.Fatalf("%s is %q, want %q: %v", expr, got, want, err)
	}
}

func waitSelector(t *testing.T, p *browsertest.Page, sel string) {
	t.Helper()
	if err := p.WaitFor(fmt.Sprintf(`!!document.querySelector(%q)`, sel), 20*time.Second); err != nil {
		t.Fatalf("no %s: %v", sel, err)
	}
}

// checkChairPanel: the chair's switches and buttons say the catalog's words.
func checkChairPanel(t *testing.T, p *browsertest.Page, l *i18n.Lang) {
	t.Helper()
	got, err := browsertest.Eval[[]string](p, `[...document.querySelectorAll("#chair-tools label, #chair-tools button, #chair-tools h3, #chair-title")]
		.map(e => e.textContent.trim())`)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"room.chair", "chair.lock", "chair.waitingRoom", "chair.chat", "chair.renameLock",
		"chair.selfUnmute", "chair.startVideo", "chair.muteAll", "chair.stopAll", "chair.secure", "chair.timer",
		"chair.timerStop", "chair.admitAll", "chair.end"} {
		if !slices.Contains(got, l.T(id)) {
			t.Errorf("chair panel lacks %q (%s): has %q", l.T(id), id, got)
		}
	}
}
