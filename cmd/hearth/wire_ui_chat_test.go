package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// chatLogHas reports whether a page's chat log shows text.
func chatLogHas(t *testing.T, p *browsertest.Page, text string) bool {
	t.Helper()
	has, err := browsertest.Eval[bool](p, fmt.Sprintf(`document.getElementById("chat-log").textContent.includes(%q)`, text))
	if err != nil {
		t.Fatal(err)
	}
	return has
}

// sendChat types a message into a page's chat form and sends it to the
// recipient chosen in "To" (value "" everyone, "chairs", or left as is
// when to is "-").
func sendChat(t *testing.T, p *browsertest.Page, to, text string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { if (%q !== "-") document.getElementById("chat-to").value = %q;
		document.getElementById("chat-text").value = %q; return true; })()`, to, to, text)
	if _, err := browsertest.Eval[bool](p, js); err != nil {
		t.Fatal(err)
	}
	click(t, p, "#chat-form button[type=submit]")
}

// TestBrowserChatModes: a meeting set to chairs-only chat starts so; every
// page shows the mode; a member's message, even forced to "everyone" in
// its page, reaches the chair and not the other member; the chair answers
// one member privately; the chair opens the chat to everyone; Secure limits
// it to the chairs again and Undo secure brings "everyone" back. axe finds
// nothing serious on the chat panel of a member and of the chair.
func TestBrowserChatModes(t *testing.T) {
	axe := axeSource(t)
	srv := testApp(t, true)
	hostKey := createRoom(t, srv, "chairs-chat", map[string]any{"max_participants": 10, "chat_mode": "chairs"})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/chairs-chat/join"

	chair := b.Open(url)
	joinAs(t, chair, "Pat", "listen", hostKey)
	waitIn(t, chair, "Pat")
	ann := isolated(t, chair, url)
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	bob := isolated(t, chair, url)
	joinAs(t, bob, "Bob", "listen", "")
	waitIn(t, bob, "Bob")
	for _, p := range []*browsertest.Page{chair, ann, bob} {
		click(t, p, "#btn-chat")
		waitText(t, p, "chat-mode", "to the chairs only")
	}
	if ok, _ := browsertest.Eval[bool](ann, `(() => { const s = document.getElementById("chat-to");
		return s.value === "chairs" && s.querySelector("option[value='']").disabled; })()`); !ok {
		t.Fatal("a member's page offers everyone in chairs-only mode")
	}

	// Ann's page forced to "everyone", as a patched client would be.
	sendChat(t, ann, "", "question for the chair")
	waitText(t, chair, "chat-log", "question for the chair")
	waitText(t, chair, "chat-log", "to the chairs")
	waitText(t, ann, "chat-log", "question for the chair")

	click(t, chair, `#chat-log button[aria-label="Reply privately to Ann"]`)
	sendChat(t, chair, "-", "a private answer")
	waitText(t, ann, "chat-log", "a private answer")
	waitText(t, ann, "chat-log", "privately to You")
	waitText(t, chair, "chat-log", "privately to Ann")
	sendChat(t, chair, "", "welcome, everyone")
	waitText(t, bob, "chat-log", "welcome, everyone")
	// Bob's page got the chair's public message after the private ones,
	// over the same socket: had they reached him, they would show.
	if chatLogHas(t, bob, "question for the chair") || chatLogHas(t, bob, "a private answer") {
		t.Fatal("a private message reached another member")
	}
	shoot(t, chair, "chat-chair-private")
	shoot(t, ann, "chat-member-chairs-only")
	checkAxe(t, ann, axe, "member chat, chairs only")

	click(t, chair, "#btn-chair")
	if _, err := browsertest.Eval[bool](chair, `(() => { const s = document.getElementById("ctl-chat");
		s.value = "everyone"; s.dispatchEvent(new Event("change")); return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitText(t, bob, "chat-mode", "open to everyone")
	sendChat(t, bob, "", "hello all")
	waitText(t, ann, "chat-log", "hello all")
	checkAxe(t, chair, axe, "chair panel and chat")

	click(t, chair, "#btn-secure")
	waitText(t, ann, "chat-mode", "to the chairs only")
	if err := chair.WaitFor(`!document.getElementById("btn-undo-secure").hidden && document.getElementById("ctl-chat").value === "chairs"`, 10*time.Second); err != nil {
		t.Fatalf("secure not shown to the chair: %v", err)
	}
	shoot(t, chair, "chat-chair-secured")
	click(t, chair, "#btn-undo-secure")
	waitText(t, ann, "chat-mode", "open to everyone")
	if err := chair.WaitFor(`document.getElementById("btn-undo-secure").hidden && document.getElementById("ctl-chat").value === "everyone" && !document.getElementById("ctl-locked").checked`, 10*time.Second); err != nil {
		t.Fatalf("undo secure not shown to the chair: %v", err)
	}
}
