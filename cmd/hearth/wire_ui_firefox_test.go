package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// firefoxJoin is ui/testdata/firefox/join.mjs: puppeteer-core driving
// firefox-esr over WebDriver BiDi.
const firefoxJoin = "../../ui/testdata/firefox/join.mjs"

func needFirefox(t *testing.T) {
	t.Helper()
	for _, need := range []string{"/usr/bin/firefox-esr", "/usr/bin/node",
		"../../ui/testdata/firefox/node_modules/puppeteer-core/package.json"} {
		if _, err := os.Stat(need); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s missing (apt-get install firefox-esr nodejs; npm ci --prefix ui/testdata/firefox): %v", need, err)
			}
			t.Skipf("%s not installed", need)
		}
	}
}

// One member in Chromium, one in Firefox: each sees and hears the other.
// Both browsers run while browsertest holds the machine-wide browser lock,
// so no other test's browser runs beside them.
func TestBrowserChromiumAndFirefoxMeet(t *testing.T) {
	needFirefox(t)
	// Firefox ESR gathers no loopback candidate even with
	// media.peerconnection.ice.loopback set, so this one test lets ICE use
	// the machine's own interface address; the packets still never leave
	// the machine. Every other browser test is loopback-only.
	srv := testAppRTC(t, true, rtcConfig{})
	createRoom(t, srv, "two-browsers", map[string]any{"max_participants": 10})
	b := browsertest.Launch(t, browsertest.Options{})
	url := srv.URL + "/m/two-browsers/join"

	chrome := b.Open(url)
	joinAs(t, chrome, "Chrome", "video", "")
	waitIn(t, chrome, "Chrome")

	script, err := filepath.Abs(firefoxJoin)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", script, url, "Fox", "Chrome")
	cmd.Dir = filepath.Dir(script)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	expect := func(want string) {
		t.Helper()
		timeout := time.After(60 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("firefox exited before %q", want)
				}
				if strings.HasPrefix(l, "error:") {
					t.Fatalf("firefox: %s", l)
				}
				if l == want {
					return
				}
			case <-timeout:
				t.Fatalf("firefox never said %q", want)
			}
		}
	}
	expect("joined")
	seesVideo(t, chrome, "Chrome", "Fox")
	hears(t, chrome, "Chrome", "Fox")
	expect("sees-and-hears")
	shoot(t, chrome, "chromium-with-firefox")
	_ = stdin.Close()
	if err := chrome.WaitFor(`!document.getElementById("people-list").textContent.includes("Fox")`, 20*time.Second); err != nil {
		t.Errorf("Fox did not leave: %v", err)
	}
}
