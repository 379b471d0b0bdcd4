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

// The browser cookie covers the nodes' names when they are under the
// public one; otherwise it stays host-only and the operator is told why.
func TestCookieDomain(t *testing.T) {
	for _, c := range []struct {
		public, node, domain string
		warns                bool
	}{
		{"https://meet.example.org", "https://node1.meet.example.org", "meet.example.org", false},
		{"https://Meet.Example.org:8443/", "https://a.b.meet.example.org:9000", "meet.example.org", false},
		{"https://meet.example.org", "https://meet.example.org:8081", "", false},
		{"https://meet.example.org", "https://node1.example.org", "", true},
		{"https://meet.example.org", "http://127.0.0.1:8080", "", true},
		{"https://meet.example.org", "https://evilmeet.example.org", "", true},
		{"", "https://node1.meet.example.org", "", false},
	} {
		domain, warning := cookieDomain(c.public, c.node)
		if domain != c.domain || (warning != "") != c.warns {
			t.Errorf("cookieDomain(%q, %q) = %q, %q; want %q, warning %v", c.public, c.node, domain, warning, c.domain, c.warns)
		}
	}
}

// Nodes named under the public host are all allowed in the pages'
// connect-src by one wildcard, so a page opened before a node joined can
// be sent to it; nodes named elsewhere are listed one by one.
func TestNodesUnder(t *testing.T) {
	for _, c := range []struct{ node, domain, want string }{
		{"https://node1.meet.example.org", "meet.example.org", "wss://*.meet.example.org:*"},
		{"http://node1.meet.test:8081", "meet.test", "ws://*.meet.test:*"},
		{"https://node.elsewhere.net", "", ""},
		{"https://node1.meet.example.org", "bad;domain", ""},
	} {
		if got := nodesUnder(c.node, c.domain); got != c.want {
			t.Errorf("nodesUnder(%q, %q) = %q, want %q", c.node, c.domain, got, c.want)
		}
	}
}
