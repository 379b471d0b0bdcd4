package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hearth-recovery/hearth/meetings/api"
)

// Two hearth processes on one PostgreSQL run 20 meetings at once: the
// rooms spread over both nodes (each runs some), and in every meeting the
// two members, who enter through different nodes, are in one room and
// hear each other.
func TestMultiNodeTwentyRooms(t *testing.T) {
	database := cluster.Database(t)
	bin := buildHearth(t)
	nodes := []*node{startNode(t, bin, "A", database), startNode(t, bin, "B", database)}
	nodes[0].send(t, "POST", "/api/groups", api.GroupJSON{Slug: "eastside", Name: "Eastside Group", Program: "AA"}, http.StatusCreated)
	const rooms = 20
	for i := range rooms {
		nodes[i%2].send(t, "POST", "/api/meetings", nodeMeeting(fmt.Sprintf("meeting-%02d", i), fmt.Sprintf("Meeting %d", i)), http.StatusCreated)
	}
	owned := map[string]int{}
	for i := range rooms {
		room := fmt.Sprintf("meeting-%02d", i)
		x := &member{name: "x", entry: []*node{nodes[i%2]}}
		y := &member{name: "y", entry: []*node{nodes[(i+1)%2]}}
		x.join(t, room)
		y.join(t, room)
		if x.c.URL != y.c.URL {
			t.Fatalf("%s: members on %s and %s, want one node", room, x.c.URL, y.c.URL)
		}
		hearEachOther(t, x, y)
		owned[ownerOf(t, nodes, x.c.URL).name]++
	}
	t.Logf("rooms per node: %v", owned)
	if owned["A"] == 0 || owned["B"] == 0 {
		t.Fatalf("rooms per node %v, want both nodes running some", owned)
	}
}
