package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/sfu/dialin/dialintest"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// A real Chromium member and a real phone in one room: Chromium plays the
// caller's PCMU natively (its inbound audio is PCMU with energy), and the
// phone hears Chromium's microphone (a 660 Hz file) through the gateway's
// pure-Go Opus decoder.
func TestBrowserAndPhoneHearEachOther(t *testing.T) {
	dialintest.NeedTool(t, "baresip")
	mic := filepath.Join(t.TempDir(), "mic.wav")
	if err := dialintest.WriteWAVRate(mic, dialintest.Sine(660, 48000, 48000*120, 12000), 48000); err != nil {
		t.Fatal(err)
	}
	b := browsertest.Launch(t, browsertest.Options{ExtraFlags: map[string]any{"use-file-for-fake-audio-capture": mic}})
	cfg := serveConfig{DataDir: t.TempDir(), Demo: true, AdminToken: testAdminToken, LogFormat: "text", LogLevel: "info",
		RTC:    rtcConfig{LoopbackOnly: true},
		Dialin: dialinConfig{Listen: "127.0.0.1:0", RTPPorts: "41300-41399", Allow: "127.0.0.1", Language: "en", MaxCalls: 4}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a))
	t.Cleanup(func() { srv.Close(); a.close() })
	createRoom(t, srv, "phoneroom", map[string]any{})
	m, err := a.store.Meeting(context.Background(), "phoneroom")
	if err != nil {
		t.Fatal(err)
	}

	page := b.Open(srv.URL + "/m/phoneroom/join")
	joinAs(t, page, "Ann", "audio", "")
	waitIn(t, page, "Ann")

	ph := dialintest.Start(t, "5550120", dialintest.Sine(1000, 8000, 8000*120, 8000))
	ph.Dial(t, a.dialin.Port())
	waitUntil(t, "the call to be answered", func() bool { return strings.Contains(ph.Output(), "Call established") })
	ph.Keys(t, meetings.PhoneID(m.ID)+"#")

	// Chromium receives the caller as PCMU, and hears it: 10 s of it
	// (the caller hears "You are in the meeting..." meanwhile, then Ann).
	const inbound = `(async () => { let codecs = {}, out = {pcmu: false, seconds: 0, energy: 0};
		const r = await window.hearthRoom.stats();
		r.forEach((x) => { if (x.type === "codec") codecs[x.id] = x.mimeType; });
		r.forEach((x) => { if (x.type === "inbound-rtp" && x.kind === "audio" && codecs[x.codecId] === "audio/PCMU") {
			out.pcmu = true; out.seconds = x.totalSamplesDuration || 0; out.energy = x.totalAudioEnergy || 0; } });
		return JSON.stringify(out); })()`
	if err := page.WaitFor(strings.Replace(inbound, "return JSON.stringify(out); })()",
		"return out.pcmu && out.seconds > 10 && out.energy > 0.1; })()", 1), 90*time.Second); err != nil {
		got, _ := browsertest.Eval[string](page, inbound)
		t.Fatalf("Chromium did not play the caller's audio: %v (%s)\n%s", err, got, ph.Output())
	}
	ph.Do(t, "hangup", "")
	ph.Quit(t)
	heard := ph.Heard(t)
	if n := dialintest.ToneFrames(heard, 660); n < 25 {
		t.Fatalf("the phone heard Chromium's 660 Hz in %d frames", n)
	}
	t.Logf("the phone heard Chromium's tone in %d of %d frames", dialintest.ToneFrames(heard, 660), len(heard)/160)
}
