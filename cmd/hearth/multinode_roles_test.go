package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// nextEvent waits up to a minute for a message m receives that match
// accepts, and fails the test without one.
func nextEvent(t *testing.T, m *member, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		select {
		case msg := <-m.c.Events:
			var v map[string]any
			if json.Unmarshal(msg.Raw, &v) == nil && match(v) {
				return v
			}
		case <-deadline:
			t.Fatalf("%s: %s not seen after a minute", m.name, what)
		}
	}
}

// Three hearth processes on one PostgreSQL. The Secretary chairs a meeting
// with the role's key on the node that runs its room; the role is revoked
// through another node's API. Within the room's role check (20 s) the
// Secretary is a member, still connected, and another member is told, with
// no label: the revoke reached the owner through the schedule's
// notification, and the owner unseated the chair by the role's id.
func TestMultiNodeRoleRevoked(t *testing.T) {
	nodes := startNodes(t)
	const room = "service-meeting"
	createWithHostKey(t, nodes[0], room, "Service Meeting")
	var role struct {
		ID      int64  `json:"id"`
		HostKey string `json:"host_key"`
	}
	body := nodes[0].send(t, "POST", "/api/meetings/"+room+"/roles", map[string]any{"label": "Secretary"}, http.StatusCreated)
	if err := json.Unmarshal(body, &role); err != nil || role.HostKey == "" {
		t.Fatalf("role: %v %s", err, body)
	}
	sec := &member{name: "sec", entry: nodes, browser: joinPageCookie(t, nodes[0], room),
		auth: map[string]string{"hostKey": role.HostKey}}
	watcher := &member{name: "watcher", entry: []*node{nodes[1], nodes[2]}, browser: joinPageCookie(t, nodes[1], room)}
	sec.join(t, room)
	watcher.join(t, room)
	state := func(m *member) map[string]any {
		t.Helper()
		if err := m.c.Send(map[string]any{"type": "control-state"}); err != nil {
			t.Fatal(err)
		}
		return nextEvent(t, m, "state", func(v map[string]any) bool { return v["event"] == "state" })
	}
	if st := state(sec); st["role"] != "chair" {
		t.Fatalf("the Secretary's state: %v", st)
	}
	state(watcher)
	owner := ownerOf(t, nodes, sec.c.URL)
	other := nodes[0]
	if other == owner {
		other = nodes[1]
	}
	t.Logf("room on node %s, role revoked through node %s", owner.name, other.name)
	other.send(t, "DELETE", fmt.Sprintf("/api/meetings/%s/roles/%d", room, role.ID), nil, http.StatusNoContent)
	for _, m := range []*member{sec, watcher} {
		ev := nextEvent(t, m, "the Secretary's role ending", func(v map[string]any) bool {
			return v["event"] == "role" && v["subject"] == sec.c.ID
		})
		if ev["role"] != "member" || ev["label"] != nil || ev["reason"] != "role-ended" {
			t.Fatalf("%s: role event %v", m.name, ev)
		}
	}
	if st := state(sec); st["role"] != "member" {
		t.Fatalf("the Secretary after revoking: %v", st)
	}
}
