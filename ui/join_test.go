package ui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearth-recovery/hearth/meetings"
)

// The store is the production Reader; keep the two in step at compile time.
var _ Reader = meetings.Store(nil)

func TestJoinPage(t *testing.T) {
	r := sampleSchedule()
	r.series[0].Room = meetings.RoomSettings{PasscodeHash: "$argon2id$secret-hash", HostKeyHash: "$argon2id$host-hash", WaitingRoom: true}
	h := newTestHandler(t, r)
	rec := get(t, h, "/m/monday-night/join")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	mustContain(t, body, `data-room="monday-night"`, `data-signal="/rtc"`, `data-passcode="yes"`,
		`id="passcode"`, `value="listen"`, `value="audio" checked`, "Nobody needs your full name",
		`<script type="module" src="/static/js/room.js"></script>`, "7th Tradition: contribute to Downtown Group",
		`id="tradition-card"`, `<svg class="qr" role="img" aria-label="QR code: Contribute to Downtown Group"`, `id="btn-tradition-show"`,
		`aria-live="polite"`, `role="alert"`)
	// The hashes never reach a page.
	mustNotContain(t, body, "argon2id", "secret-hash", "host-hash")

	open := get(t, h, "/m/smart-evening/join").Body.String()
	mustContain(t, open, `data-passcode="no"`)
	mustNotContain(t, open, `id="passcode"`, "7th Tradition: contribute", `id="tradition-card"`, `id="btn-tradition-show"`)
	if rec := get(t, h, "/m/nope/join"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown meeting: %d", rec.Code)
	}
}

// Every label points at a control that exists, so screen readers name them.
func TestJoinPageLabelsMatchControls(t *testing.T) {
	body := get(t, newTestHandler(t, sampleSchedule()), "/m/monday-night/join").Body.String()
	for _, part := range strings.Split(body, `<label for="`)[1:] {
		id := part[:strings.IndexByte(part, '"')]
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("label for %q has no control", id)
		}
	}
}
