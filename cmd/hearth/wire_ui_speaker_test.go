package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// The join page offers the speaker (output device) and a test sound, as
// Jitsi's pre-join screen does: the test sound plays through an audio
// element on the chosen speaker, and in the room everyone's audio plays on
// the speaker chosen.
func TestBrowserJoinSpeakerChoice(t *testing.T) {
	srv := testApp(t, true)
	createRoom(t, srv, "speakers", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/speakers/join"

	ann := b.Open(url)
	catchUncaught(t, ann)
	// Every play() of the page is recorded with the speaker it plays on.
	if _, err := browsertest.Eval[bool](ann, `(() => { window.played = [];
		const play = HTMLMediaElement.prototype.play;
		HTMLMediaElement.prototype.play = function () {
			const s = this.srcObject;
			window.played.push({sink: this.sinkId, audio: !!s && s.getAudioTracks().length > 0, video: this.tagName === "VIDEO"});
			return play.call(this); };
		return true; })()`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ann, "no speaker field on the join page", `!document.getElementById("speaker-field").hidden`)
	// The fake devices' list, once the microphone preview has asked.
	waitFor(t, ann, "the speaker list was never filled", `document.getElementById("speaker").options.length >= 1 && !!document.getElementById("mic-level")`)
	outputs, err := browsertest.Eval[[]string](ann, `navigator.mediaDevices.enumerateDevices().then(ds => ds.filter(d => d.kind === "audiooutput").map(d => d.deviceId))`)
	if err != nil {
		t.Fatal(err)
	}
	choice := ""
	for _, id := range outputs {
		if id != "default" && id != "" {
			choice = id
			break
		}
	}
	t.Logf("audio outputs %q, choosing %q", outputs, choice)
	if choice != "" {
		waitFor(t, ann, "the chosen speaker is not offered", `[...document.getElementById("speaker").options].some(o => o.value === `+jsString(choice)+`)`)
		if _, err := browsertest.Eval[bool](ann, `(() => { const s = document.getElementById("speaker"); s.value = `+jsString(choice)+`; s.dispatchEvent(new Event("change")); return true; })()`); err != nil {
			t.Fatal(err)
		}
	}
	click(t, ann, "#test-sound")
	waitFor(t, ann, "the test sound never played", `window.played.some(p => p.audio && !p.video && p.sink === `+jsString(choice)+`)`)
	if err := ann.WaitFor(`!document.getElementById("test-sound").disabled`, 10*time.Second); err != nil {
		t.Error("the test sound never ended")
	}

	checkAxe(t, ann, axeSource(t), "join page with the speaker choice")
	shoot(t, ann, "join-speaker")
	joinAs(t, ann, "Ann", "audio", "")
	waitIn(t, ann, "Ann")
	bob := isolated(t, ann, url)
	joinAs(t, bob, "Bob", "audio", "")
	waitIn(t, bob, "Bob")
	hears(t, ann, "Ann", "Bob")
	sink, err := browsertest.Eval[string](ann, fmt.Sprintf(`(() => { const f = `+tileOf+`; return f ? f.querySelector("video").sinkId : "no tile"; })()`, "Bob"))
	if err != nil || sink != choice {
		t.Errorf("Bob plays on speaker %q, want the chosen %q (%v)", sink, choice, err)
	}
	noUncaught(t, ann, "Ann")
}
