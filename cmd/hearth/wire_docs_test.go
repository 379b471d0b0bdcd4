package main

import (
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// /docs renders the API in Chromium from the binary alone: every request the
// page makes goes to Hearth's own host, none to a CDN or any third party.
func TestBrowserDocsMakeNoThirdPartyRequest(t *testing.T) {
	srv := testApp(t, true)
	b := browsertest.Launch(t, browsertest.Options{})
	p := b.Open("about:blank")
	var mu sync.Mutex
	var requested []string
	if err := chromedp.Listen(p.Ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(p.Ctx, chromedp.Navigate(srv.URL+"/docs")); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitFor(`document.querySelectorAll(".opblock").length > 10`, 20*time.Second); err != nil {
		t.Fatalf("the API operations were not rendered: %v", err)
	}
	time.Sleep(time.Second) // anything the page fetches after rendering
	own, _ := url.Parse(srv.URL)
	mu.Lock()
	defer mu.Unlock()
	if len(requested) < 4 {
		t.Fatalf("only %d requests recorded: %v", len(requested), requested)
	}
	for _, r := range requested {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Host != own.Host) {
			t.Errorf("/docs requested %s, off the host", r)
		}
	}
	shoot(t, p, "api-docs")
}
