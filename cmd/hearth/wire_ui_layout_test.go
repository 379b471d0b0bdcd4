package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-recovery/hearth/sfu/loadtest"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// roomGeometry is what the layout test measures on the page.
type roomGeometry struct {
	ViewW, ViewH      float64
	DocScrollH        float64 // document's scroll height
	DocScrollW        float64
	Grid, Toolbar     rect
	Tiles, Shown      int
	TilesOutside      []string // shown tiles not wholly inside the grid and viewport
	SelfShown         bool
	SpeakerShown      bool // the tile marked speaking is on this page (true when nobody speaks)
	Panels            []panelGeometry
	PagerShown        bool
	SmallestW, SmallH float64
}

type rect struct{ Top, Left, Bottom, Right float64 }

type panelGeometry struct {
	ID               string
	Box              rect
	ScrollH, ClientH float64
	OverflowY        string
	ScrolledAlone    bool // scrolling it moved it and nothing else
}

const measureRoom = `(() => {
	const r = (e) => { const b = e.getBoundingClientRect(); return {Top: b.top, Left: b.left, Bottom: b.bottom, Right: b.right}; };
	const grid = document.getElementById("grid"), g = grid.getBoundingClientRect();
	const tiles = [...grid.querySelectorAll("figure.tile")], shown = tiles.filter(t => !t.hidden);
	const inside = (b) => b.top >= g.top - 1 && b.left >= g.left - 1 && b.bottom <= g.bottom + 1 && b.right <= g.right + 1 &&
		b.top >= -1 && b.left >= -1 && b.bottom <= innerHeight + 1 && b.right <= innerWidth + 1;
	const speaking = tiles.find(t => t.classList.contains("speaking") && !t.classList.contains("self"));
	const panels = [...document.querySelectorAll("#room .panel")].filter(p => !p.hidden).map(p => {
		const before = [...document.querySelectorAll("#room .panel")].map(q => q.scrollTop);
		const docBefore = document.scrollingElement.scrollTop;
		p.scrollTop = 40;
		const moved = p.scrollTop > 0;
		const others = [...document.querySelectorAll("#room .panel")].filter(q => q !== p)
			.every(q => q.scrollTop === before[[...document.querySelectorAll("#room .panel")].indexOf(q)]);
		const alone = moved && others && document.scrollingElement.scrollTop === docBefore;
		p.scrollTop = 0;
		return {ID: p.id, Box: r(p), ScrollH: p.scrollHeight, ClientH: p.clientHeight,
			OverflowY: getComputedStyle(p).overflowY, ScrolledAlone: alone};
	});
	return {
		ViewW: innerWidth, ViewH: innerHeight,
		DocScrollH: document.scrollingElement.scrollHeight, DocScrollW: document.scrollingElement.scrollWidth,
		Grid: r(grid), Toolbar: r(document.querySelector("#room .toolbar")),
		Tiles: tiles.length, Shown: shown.length,
		TilesOutside: shown.filter(t => !inside(t.getBoundingClientRect())).map(t => t.getAttribute("aria-label")),
		SelfShown: shown.some(t => t.classList.contains("self")),
		SpeakerShown: !speaking || !speaking.hidden,
		Panels: panels,
		PagerShown: !document.getElementById("pager").hidden,
		SmallestW: Math.min(...shown.map(t => t.getBoundingClientRect().width)),
		SmallH: Math.min(...shown.map(t => t.getBoundingClientRect().height)),
	};
})()`

func within(r rect, w, h float64) bool {
	return r.Top >= -1 && r.Left >= -1 && r.Bottom <= h+1 && r.Right <= w+1 && r.Bottom > r.Top
}

// checkGeometry fails on anything of the room outside the viewport.
func checkGeometry(t *testing.T, g roomGeometry, what string, members int) {
	t.Helper()
	if g.DocScrollH > g.ViewH+1 || g.DocScrollW > g.ViewW+1 {
		t.Errorf("%s: the page scrolls (%vx%v in a %vx%v viewport)", what, g.DocScrollW, g.DocScrollH, g.ViewW, g.ViewH)
	}
	if !within(g.Grid, g.ViewW, g.ViewH) {
		t.Errorf("%s: the grid %+v leaves the viewport", what, g.Grid)
	}
	if !within(g.Toolbar, g.ViewW, g.ViewH) {
		t.Errorf("%s: the toolbar %+v leaves the viewport", what, g.Toolbar)
	}
	if g.Tiles != members {
		t.Errorf("%s: %d tiles for %d members", what, g.Tiles, members)
	}
	if len(g.TilesOutside) > 0 {
		t.Errorf("%s: tiles cut off: %q", what, g.TilesOutside)
	}
	if !g.SelfShown || !g.SpeakerShown {
		t.Errorf("%s: own tile shown %v, speaker's shown %v", what, g.SelfShown, g.SpeakerShown)
	}
	if g.Shown < members && !g.PagerShown {
		t.Errorf("%s: %d of %d tiles shown and no pages", what, g.Shown, members)
	}
	if len(g.Panels) != 2 {
		t.Errorf("%s: %d panels open, want People and Chair", what, len(g.Panels))
	}
	for _, p := range g.Panels {
		if !within(p.Box, g.ViewW, g.ViewH) {
			t.Errorf("%s: panel %s %+v leaves the viewport", what, p.ID, p.Box)
		}
		if p.OverflowY != "auto" {
			t.Errorf("%s: panel %s does not scroll on its own (overflow-y %s)", what, p.ID, p.OverflowY)
		}
		if p.ScrollH > p.ClientH+1 && !p.ScrolledAlone {
			t.Errorf("%s: scrolling panel %s moved something else", what, p.ID)
		}
	}
}

// The room fits the screen with 3, 13 and 30 members at phone and desktop
// size with the People and Chair panels open: no page scroll, the grid,
// every shown tile and the toolbar inside the viewport, one's own tile and
// the speaker's always shown (pages of tiles when more are in the room than
// fit), each panel scrolling on its own. Two members are Chromium pages with
// fake cameras, the others Pion clients; one Pion client speaks. Run with
// -artifacts to keep the screenshots.
func TestBrowserRoomFitsTheScreen(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "crowd", map[string]any{"max_participants": 40})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/crowd/join"
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + uiSignalPath

	pat := b.Open(url)
	joinAs(t, pat, "Pat", "video", hostKey)
	waitIn(t, pat, "Pat")
	waitFor(t, pat, "Pat is not chair", chairShown)
	bob := isolated(t, pat, url)
	joinAs(t, bob, "Bob", "video", "")
	waitIn(t, bob, "Bob")
	// The browsers' fake microphones beep: muted, so that the one speaker
	// is the Pion client that is told to speak.
	click(t, pat, "#btn-mic")
	click(t, bob, "#btn-mic")
	click(t, pat, "#btn-people")
	click(t, pat, "#btn-chair")

	var pion []*loadtest.Client
	t.Cleanup(func() {
		for _, c := range pion {
			c.Close()
		}
	})
	add := func(upTo int) {
		for len(pion)+2 < upTo {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			c, err := loadtest.Dial(ctx, wsURL, loadtest.Options{Room: "crowd", Name: fmt.Sprintf("Member %d", len(pion)+3),
				Audio: true, Loopback: true, PacketInterval: 200 * time.Millisecond}) // light: 28 of them on 2 cores
			cancel()
			if err != nil {
				t.Fatalf("pion member %d: %v", len(pion)+3, err)
			}
			pion = append(pion, c)
		}
		if err := pat.WaitFor(fmt.Sprintf(`document.querySelectorAll("#grid figure.tile").length === %d`, upTo), 30*time.Second); err != nil {
			got, _ := browsertest.Eval[string](pat, `document.querySelectorAll("#grid figure.tile").length + " tiles, people " + document.getElementById("people-count").textContent + " / " + document.getElementById("wait-title").textContent + ": " + document.getElementById("wait-text").textContent`)
			t.Fatalf("Pat does not see %d tiles (%s): %v", upTo, got, err)
		}
	}
	speak := func(c *loadtest.Client, name string) {
		deadline := time.Now().Add(15 * time.Second)
		for c.Audio == nil && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if c.Audio == nil {
			t.Fatal("the Pion member publishes no audio")
		}
		c.Audio.SetLevel(10)
		waitFor(t, pat, name+" is never shown speaking",
			fmt.Sprintf(`!!document.querySelector('#grid figure.tile.speaking[aria-label=%q]')`, name))
	}

	dir := t.ArtifactDir()
	for _, n := range []int{3, 13, 30} {
		add(n)
		if n == 30 {
			speak(pion[len(pion)-1], "Member 30") // the last to come: on a later page unless pinned
		}
		for _, size := range []struct {
			label  string
			w, h   int64
			mobile bool
		}{{"phone", 390, 844, true}, {"desktop", 1366, 900, false}} {
			opts := []chromedp.EmulateViewportOption{}
			if size.mobile {
				opts = append(opts, chromedp.EmulateMobile)
			}
			if err := chromedp.Do(pat.Ctx, chromedp.EmulateViewport(size.w, size.h, opts...)); err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%d members, %s", n, size.label)
			// The layout follows the resize on the next frames.
			waitFor(t, pat, what+": layout", fmt.Sprintf(`innerWidth === %d && new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, size.w))
			g, err := browsertest.Eval[roomGeometry](pat, measureRoom)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d of %d tiles shown, smallest %.0fx%.0f, pages %v", what, g.Shown, g.Tiles, g.SmallestW, g.SmallH, g.PagerShown)
			checkGeometry(t, g, what, n)
			if err := pat.Screenshot(filepath.Join(dir, fmt.Sprintf("room-%d-%s.png", n, size.label))); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Paging shows every member in turn.
	if err := chromedp.Do(pat.Ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	seen, err := browsertest.Eval[int](pat, `(async () => {
		const seen = new Set(), next = document.getElementById("page-next");
		const look = () => { for (const t of document.querySelectorAll("#grid figure.tile")) if (!t.hidden) seen.add(t.dataset.id); };
		while (document.getElementById("page-prev").disabled === false) { document.getElementById("page-prev").click(); }
		look();
		for (let i = 0; i < 40 && !next.disabled; i++) { next.click(); await new Promise(r => requestAnimationFrame(r)); look(); }
		return seen.size; })()`)
	if err != nil || seen != 30 {
		t.Errorf("paging through the phone's pages showed %d of 30 members (%v)", seen, err)
	}
}
