package main

import (
	"strings"
	"testing"
)

// --node-url goes with --database, and is checked.
func TestNodeURLFlag(t *testing.T) {
	const db = "postgres://hearth:pw@db.example.org/hearth"
	c, err := parseServe([]string{"--database", db}, envOf("HEARTH_NODE_URL", "https://node2.meet.example.org"))
	if err != nil || c.NodeURL != "https://node2.meet.example.org" {
		t.Fatalf("HEARTH_NODE_URL: %+v, %v", c.NodeURL, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--database", db}, "--database needs --node-url"},
		{[]string{"--node-url", "https://node2.meet.example.org"}, "--node-url needs --database"},
		{[]string{"--database", db, "--node-url", "node2.meet.example.org"}, "must be an http(s) URL"},
		{[]string{"--database", db, "--node-url", "https://node2.meet.example.org/?a=b"}, "must be an http(s) URL"},
	} {
		if _, err := parseServe(tc.args, envOf()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.args, err, tc.want)
		}
	}
}
