package sfu_test

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// Ports as in production; the test has its network namespace to itself.
const (
	httpsOnlyMediaPort = 8443 // UDP media and ICE-TCP
	httpsOnlyTURNPort  = 3478 // TURN over UDP and TCP
	httpsOnlyTLSPort   = 443  // TURN over TLS
	// nobody runs Chromium, so that nftables can drop its traffic and
	// nothing of the server's (root's).
	nobodyID = 65534
)

// TestBrowserJoinsOverTURNTLSOnly puts two Chromium pages on a network
// that passes only HTTPS: in a network namespace of its own, nftables drops
// every UDP packet Chromium sends and every TCP segment but those to the
// web server and the TURN-over-TLS port (ICE-TCP on 8443 and TURN over TCP
// on 3478 included). The pages join as members do, with the TURN
// credentials from the join reply, and must see each other's video through
// the TLS relay.
func TestBrowserJoinsOverTURNTLSOnly(t *testing.T) {
	if os.Getenv(inNetnsEnv) == "1" {
		runHTTPSOnly(t)
		return
	}
	if _, err := os.Stat(browsertest.ChromiumPath); err != nil && os.Getenv("CI") == "" {
		t.Skipf("%s not installed", browsertest.ChromiumPath)
	}
	rerunInNetns(t, requireTools(t, "unshare", "ip", "nft")["unshare"])
}

func runHTTPSOnly(t *testing.T) {
	inOwnNetns(t)
	netnsRun(t, "ip", "link", "set", "lo", "up")
	tlsCfg, _ := selfSignedTLS(t)
	level := slog.LevelError
	if os.Getenv("SFU_DEBUG") != "" {
		level = slog.LevelDebug
	}
	s, err := sfu.New(sfu.Config{LoopbackOnly: true, UDPPort: httpsOnlyMediaPort, TCPPort: httpsOnlyMediaPort,
		TURN: sfu.TURNConfig{Enabled: true, Secret: "0123456789abcdef-https-only", Port: httpsOnlyTURNPort,
			TLS: tlsCfg, TLSPort: httpsOnlyTLSPort}},
		loadtest.OpenRooms{Max: 10}, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/rtc", s)
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir("../ui/static"))))
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, "testdata/page.html") })
	hs := httptest.NewServer(mux)
	defer func() { _ = s.Close(); hs.Close() }()
	webPort := hs.Listener.Addr().(*net.TCPAddr).Port
	fw := httpsOnlyFirewall(t, webPort)

	b := browsertest.Launch(t, browsertest.Options{UID: nobodyID, GID: nobodyID,
		ExtraFlags: map[string]any{"ignore-certificate-errors": true}})
	a := join(t, b, hs.URL, "r", "Ann", "video", "")
	c := join(t, b, hs.URL, "r", "Cal", "video", "")
	a.waitVideo(t, c, 45*time.Second)
	c.waitVideo(t, a, 45*time.Second)
	for _, m := range []*member{a, c} {
		pair := selectedPair(t, m)
		if pair["type"] != "relay" || pair["relayProtocol"] != "tls" {
			t.Errorf("%s: media went over %v, want a relay reached over TLS", m.id[:8], pair)
		}
	}
	udp, tcp := fw.dropped()
	t.Logf("dropped from Chromium: %d UDP packets, %d TCP segments", udp, tcp)
	if udp == 0 || tcp == 0 {
		t.Errorf("the firewall dropped %d UDP packets and %d TCP segments: Chromium never tried the blocked paths", udp, tcp)
	}
}

// selectedPair returns the type and relay protocol of the local candidate
// of the page's selected ICE pair.
func selectedPair(t *testing.T, m *member) map[string]string {
	t.Helper()
	pair, err := browsertest.Eval[map[string]string](m.page, `(async () => {
		const r = await window.hearth.client.pc.getStats();
		let out = {};
		r.forEach((x) => {
			if (x.type !== "transport" || !x.selectedCandidatePairId) return;
			const local = r.get(r.get(x.selectedCandidatePairId).localCandidateId);
			out = { type: local.candidateType, relayProtocol: local.relayProtocol || "", protocol: local.protocol };
		});
		return out;
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

// firewall is the namespace's nftables table.
type firewall struct{ t *testing.T }

// httpsOnlyFirewall drops everything Chromium (user nobody) sends but TCP
// to the web server and to the TURN-over-TLS port.
func httpsOnlyFirewall(t *testing.T, webPort int) firewall {
	t.Helper()
	rules := fmt.Sprintf(`table inet httpsonly {
	chain out {
		type filter hook output priority 0; policy accept;
		meta skuid %[1]d meta l4proto udp counter drop
		meta skuid %[1]d tcp dport %[2]d counter drop comment "ICE-TCP"
		meta skuid %[1]d tcp dport %[3]d counter drop comment "TURN over TCP"
		meta skuid %[1]d tcp dport != { %[4]d, %[5]d } counter drop
		meta skuid %[1]d meta l4proto != { tcp, udp } counter drop
	}
}
`, nobodyID, httpsOnlyMediaPort, httpsOnlyTURNPort, webPort, httpsOnlyTLSPort)
	cmd := exec.Command("nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft: %v: %s\n%s", err, b, rules)
	}
	return firewall{t}
}

var nftCounter = regexp.MustCompile(`counter packets (\d+)`)

// dropped returns how many UDP packets and TCP segments the rules dropped.
func (f firewall) dropped() (udp, tcp int) {
	f.t.Helper()
	b, err := exec.Command("nft", "list", "table", "inet", "httpsonly").CombinedOutput()
	if err != nil {
		f.t.Fatalf("nft list: %v: %s", err, b)
	}
	for line := range strings.Lines(string(b)) {
		m := nftCounter.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		switch {
		case strings.Contains(line, "l4proto udp"):
			udp += n
		case strings.Contains(line, "tcp dport"):
			tcp += n
		}
	}
	f.t.Logf("nft table:\n%s", b)
	return udp, tcp
}
