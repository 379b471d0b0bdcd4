package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// TestServiceRoles: an admin adds named host keys, each shown once and
// stored hashed; the list never carries a key; a role's last day ends at
// midnight in the meeting's zone; revoking one removes only it.
func TestServiceRoles(t *testing.T) {
	h := newHarness(t) // now: 2026-03-02 18:00 UTC, 10:00 in Los Angeles
	h.seed(meeting("m"))
	var sec, tech RoleJSON
	json.Unmarshal(h.mustStatus(201, "POST", "/api/meetings/m/roles", RoleInput{Label: " Secretary ", Until: "2026-03-31"}), &sec)
	json.Unmarshal(h.mustStatus(201, "POST", "/api/meetings/m/roles", RoleInput{Label: "Tech host"}), &tech)
	st, _ := h.store.Meeting(context.Background(), "m")
	if len(st.Room.HostRoles) != 2 || sec.Label != "Secretary" || sec.HostKey == "" || sec.Expired ||
		!meetings.VerifySecret(st.Room.HostRoles[0].KeyHash, sec.HostKey) || meetings.VerifySecret(st.Room.HostRoles[1].KeyHash, sec.HostKey) {
		t.Fatalf("created %+v, stored %+v", sec, st.Room.HostRoles)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	if want := time.Date(2026, 4, 1, 0, 0, 0, 0, la); !sec.Ends.Equal(want) || !tech.Ends.IsZero() {
		t.Errorf("ends %v / %v, want %v / none", sec.Ends, tech.Ends, want)
	}
	body := h.mustStatus(200, "GET", "/api/meetings/m/roles", nil)
	var list []RoleJSON
	json.Unmarshal(body, &list)
	if len(list) != 2 || list[0].ID != sec.ID || list[1].Label != "Tech host" ||
		strings.Contains(string(body), sec.HostKey) || strings.Contains(string(body), "argon2") || strings.Contains(string(body), "host_key") {
		t.Fatalf("list %s", body)
	}
	if resp, _ := h.do("GET", "/api/meetings/m/roles", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("roles listed without the admin token: %d", resp.StatusCode)
	}
	if _, pub := h.do("GET", "/api/meetings/m", "", nil); strings.Contains(string(pub), "Secretary") {
		t.Errorf("the public meeting shows its roles: %s", pub)
	}
	// The day after the last day (in Los Angeles) the role shows expired.
	h.setNow(time.Date(2026, 4, 1, 7, 0, 0, 0, time.UTC)) // 00:00 PDT
	json.Unmarshal(h.mustStatus(200, "GET", "/api/meetings/m/roles", nil), &list)
	if !list[0].Expired || list[1].Expired {
		t.Errorf("expiry: %+v", list)
	}
	h.mustStatus(204, "DELETE", fmt.Sprintf("/api/meetings/m/roles/%d", sec.ID), nil)
	json.Unmarshal(h.mustStatus(200, "GET", "/api/meetings/m/roles", nil), &list)
	if len(list) != 1 || list[0].ID != tech.ID {
		t.Fatalf("after revoke: %+v", list)
	}
}

// TestRoleProblems: bad roles are RFC 9457 problems naming the field, and
// change nothing.
func TestRoleProblems(t *testing.T) {
	h := newHarness(t)
	h.seed(meeting("m"))
	for _, tc := range []struct {
		method, path string
		body         any
		want         int
		says         string
	}{
		{"POST", "/api/meetings/m/roles", RoleInput{Label: ""}, 422, `"location":"body.label"`},
		{"POST", "/api/meetings/m/roles", RoleInput{Label: "   "}, 422, "label is required"},
		{"POST", "/api/meetings/m/roles", RoleInput{Label: strings.Repeat("x", 41)}, 422, `"location":"body.label"`},
		{"POST", "/api/meetings/m/roles", `{"label":"Two\nlines"}`, 422, "one line"},
		{"POST", "/api/meetings/m/roles", RoleInput{Label: "Secretary", Until: "31/03/2027"}, 422, `"location":"body.until"`},
		{"POST", "/api/meetings/m/roles", RoleInput{Label: "Secretary", Until: "2026-03-01"}, 422, "has passed in the meeting's time zone"},
		{"POST", "/api/meetings/m/roles", RoleInput{Label: "Secretary", Until: "2101-01-01"}, 422, "must be between"},
		{"POST", "/api/meetings/nope/roles", RoleInput{Label: "Secretary"}, 404, "nope"},
		{"DELETE", "/api/meetings/m/roles/12345", nil, 404, "not found"},
		{"DELETE", "/api/meetings/m/roles/0", nil, 422, `"location":"path.id"`},
		{"DELETE", "/api/meetings/m/roles/abc", nil, 422, `"location":"path.id"`},
	} {
		resp, out := h.do(tc.method, tc.path, testToken, tc.body)
		if resp.StatusCode != tc.want || !strings.Contains(string(out), tc.says) ||
			resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s %v: %d %s (%s), want %d with %q", tc.method, tc.path, tc.body, resp.StatusCode, out,
				resp.Header.Get("Content-Type"), tc.want, tc.says)
		}
	}
	if st, _ := h.store.Meeting(context.Background(), "m"); len(st.Room.HostRoles) != 0 || st.Sequence != 0 {
		t.Fatalf("a refused role changed the meeting: %+v", st.Room.HostRoles)
	}
	for i := 0; i < meetings.MaxHostRoles; i++ {
		h.mustStatus(201, "POST", "/api/meetings/m/roles", RoleInput{Label: fmt.Sprint("Role ", i)})
	}
	resp, out := h.do("POST", "/api/meetings/m/roles", testToken, RoleInput{Label: "One too many"})
	if resp.StatusCode != 409 || !strings.Contains(string(out), "revoke one first") {
		t.Fatalf("past the limit: %d %s", resp.StatusCode, out)
	}
}

// TestShareTimerSetting: the room's automatic share timer, in minutes, is
// kept and returned; out of bounds it is a problem at body.room.share_timer.
func TestShareTimerSetting(t *testing.T) {
	h := newHarness(t)
	m := meeting("m")
	m.Room.ShareTimer = 5
	h.seed(m)
	var got MeetingJSON
	json.Unmarshal(h.mustStatus(200, "GET", "/api/meetings/m", nil), &got)
	if got.Room.ShareTimer != 5 {
		t.Fatalf("share timer %d", got.Room.ShareTimer)
	}
	for _, bad := range []int{61, -1} {
		m.Room.ShareTimer = bad
		resp, out := h.do("PUT", "/api/meetings/m", testToken, m)
		if resp.StatusCode != 422 || !strings.Contains(string(out), `"location":"body.room.share_timer"`) {
			t.Errorf("share timer %d: %d %s", bad, resp.StatusCode, out)
		}
	}
}
