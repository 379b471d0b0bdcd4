package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// guess opens one signaling socket without a cookie, joins with a wrong host
// key and reads the answer.
func guess(ctx context.Context, wsURL, room string, n int) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		return
	}
	defer ws.CloseNow()
	b, _ := json.Marshal(map[string]any{"type": "join", "room": room, "name": "guesser",
		"auth": map[string]any{"hostKey": fmt.Sprint("wrong-", n)}})
	if ws.Write(ctx, websocket.MessageText, b) == nil {
		_, _, _ = ws.Read(ctx)
	}
}

// waitingRaider joins the waiting room and stays until the test ends or the
// server closes the socket.
func waitingRaider(t *testing.T, wsURL, room string, i int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.CloseNow() })
	b, _ := json.Marshal(map[string]any{"type": "join", "room": room, "name": fmt.Sprint("raider ", i)})
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, _, err := ws.Read(context.Background()); err != nil {
				return
			}
		}
	}()
}

// A guessing flood runs while the chair arrives in Chromium (the real
// binary, argon2id host keys): the chair gets in on the first try and is
// told that guessing is going on. Raiders then park in the waiting room,
// and one button turns them all away.
func TestBrowserChairThroughGuessingFlood(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "raided", map[string]any{"max_participants": 10, "waiting_room": true})
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + uiSignalPath
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for loop := range 8 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				guess(ctx, wsURL, "raided", loop*100000+n)
				time.Sleep(40 * time.Millisecond)
			}
		})
	}
	t.Cleanup(func() { stop(); wg.Wait() })
	time.Sleep(time.Second)

	b := browsertest.Launch(t, browsertest.Options{})
	chair := b.Open(srv.URL + "/m/raided/join")
	joinAs(t, chair, "Pat", "listen", hostKey)
	waitIn(t, chair, "the chair")
	if err := chair.WaitFor(`!document.getElementById("chair-tools").hidden`, 10*time.Second); err != nil {
		t.Fatalf("the chair's tools did not open: %v", err)
	}
	click(t, chair, "#btn-chair")
	if err := chair.WaitFor(`!document.getElementById("guessing-note").hidden`, 15*time.Second); err != nil {
		t.Fatalf("the chair was not told of the guessing: %v", err)
	}
	waitText(t, chair, "guessing-note", "wrong tries in the last minute")
	stop()
	wg.Wait()

	for i := range 5 {
		waitingRaider(t, wsURL, "raided", i)
	}
	if err := chair.WaitFor(`document.querySelectorAll("#waiting-list li").length === 5`, 30*time.Second); err != nil {
		t.Fatalf("the chair does not see the 5 waiting: %v", err)
	}
	shoot(t, chair, "room-chair-guessing-waiting-flood")
	answerConfirm(t, chair, true)
	click(t, chair, "#btn-deny-all")
	waitText(t, chair, "waiting-list", "Nobody is waiting.")
}

// After Secure (which also stops renaming) the chair renames a member from
// the People panel; everyone's page shows the new name.
func TestBrowserChairRenamesMember(t *testing.T) {
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "renamed", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/renamed/join"
	chair := b.Open(url)
	joinAs(t, chair, "Pat", "listen", hostKey)
	waitIn(t, chair, "the chair")
	sam := isolated(t, chair, url)
	joinAs(t, sam, "Rude name", "listen", "")
	waitIn(t, sam, "the member")
	click(t, chair, "#btn-chair")
	click(t, chair, "#btn-secure")
	waitText(t, chair, "people-list", "Rude name")
	click(t, chair, "#btn-people")
	if _, err := browsertest.Eval[bool](chair, `window.prompt = () => "Guest", true`); err != nil {
		t.Fatal(err)
	}
	click(t, chair, `#people-list button[aria-label="Rename: Rude name"]`)
	waitText(t, chair, "people-list", "Guest")
	if err := sam.WaitFor(`document.body.textContent.includes("Guest") && !document.body.textContent.includes("Rude name")`, 10*time.Second); err != nil {
		t.Fatalf("the member's own page does not show the new name: %v", err)
	}
}
