package sfu_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// The constrained-link test shapes loopback traffic with tc, so it runs
// in a network namespace of its own (its own loopback): the test re-runs
// its binary under `unshare --net` with inNetnsEnv set, and only that
// child touches the network configuration.
const (
	inNetnsEnv = "HEARTH_IN_NETNS"
	// outerNetnsEnv names the parent's namespace, so that the child can
	// check it is not in it before shaping anything.
	outerNetnsEnv = "HEARTH_OUTER_NETNS"
	// constrainedRate (kbit/s) lies between what the quarter layer plus the
	// audio take on the wire (about 360 with the SRTP, UDP, IP and loopback
	// headers) and what the half layer plus the audio take (about 600):
	// see loadtest/publisher.go for the payloads. Closer to the quarter
	// layer's rate, it loses packets even there.
	constrainedRate = 480
	// constrainedQueue (bytes) is the shaped link's buffer, about 300 ms
	// at constrainedRate: a router's, not the 1000 packets of lo's default.
	constrainedQueue = 15000
	openRate         = "10gbit"
)

// TestSimulcastUnderConstrainedLink checks the layer choice against a
// real bandwidth estimate: a subscriber whose downlink is really limited
// ends up on a lower layer while an unconstrained one keeps the full
// layer, and climbs back when the limit goes.
func TestSimulcastUnderConstrainedLink(t *testing.T) {
	if os.Getenv(inNetnsEnv) == "1" {
		runConstrained(t)
		return
	}
	unshare := requireNetnsTools(t)
	ctx := context.Background()
	timeout := 2 * time.Minute
	if d, ok := t.Deadline(); ok {
		timeout = time.Until(d) - 5*time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, unshare, "--net", "--", os.Args[0],
		"-test.run", "^TestSimulcastUnderConstrainedLink$", "-test.v=true", "-test.count=1",
		"-test.timeout", timeout.String())
	outer, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), inNetnsEnv+"=1", outerNetnsEnv+"="+outer)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", unshare, err)
	}
	var skipped string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		t.Log(line)
		if strings.Contains(line, "--- SKIP: TestSimulcastUnderConstrainedLink") {
			skipped = line
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("in the network namespace: %v", err)
	}
	if skipped != "" {
		t.Skip("skipped in the network namespace (see above)")
	}
}

// requireNetnsTools returns unshare's path once root, unshare, ip and tc,
// and the htb queueing discipline in a new namespace, are all there.
// Missing tools or privileges fail in CI and skip elsewhere; a kernel
// without htb skips everywhere (a kernel feature, not a tool).
func requireNetnsTools(t *testing.T) string {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if os.Geteuid() != 0 {
		missing("needs root for a network namespace and tc")
	}
	paths := map[string]string{}
	for _, tool := range []string{"unshare", "ip", "tc"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			missing(tool + " not found (util-linux, iproute2)")
		}
		paths[tool] = p
	}
	probe := exec.Command(paths["unshare"], "--net", "--", paths["tc"], "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb")
	if b, err := probe.CombinedOutput(); err != nil {
		if strings.Contains(string(b), "Specified qdisc kind is unknown") {
			t.Skipf("the kernel has no htb qdisc: %s", b)
		}
		missing(fmt.Sprintf("a network namespace with an htb qdisc: %v: %s", err, b))
	}
	return paths["unshare"]
}

// shaper limits, in a private network namespace, the packets sent to one
// UDP port on loopback.
type shaper struct{ t *testing.T }

func (s shaper) run(args ...string) {
	s.t.Helper()
	b, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, b)
	}
}

// setup brings loopback up with an htb root: everything in an open class,
// and a second class for the shaped port, open until limit.
func (s shaper) setup() {
	s.t.Helper()
	self, err := os.Readlink("/proc/self/ns/net")
	outer := os.Getenv(outerNetnsEnv)
	if err != nil || outer == "" || self == outer {
		s.t.Fatalf("%s=1 but not in a network namespace of its own (%q, parent's %q, %v): refusing to shape", inNetnsEnv, self, outer, err)
	}
	s.run("ip", "link", "set", "lo", "up")
	s.run("tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "10")
	s.run("tc", "class", "add", "dev", "lo", "parent", "1:", "classid", "1:10", "htb", "rate", openRate)
	s.run("tc", "class", "add", "dev", "lo", "parent", "1:", "classid", "1:20", "htb", "rate", openRate, "ceil", openRate)
	s.run("tc", "qdisc", "add", "dev", "lo", "parent", "1:20", "handle", "20:", "bfifo", "limit", strconv.Itoa(constrainedQueue))
}

// stats is what the shaped class sent and dropped so far.
func (s shaper) stats() string {
	s.t.Helper()
	b, err := exec.Command("tc", "-s", "class", "show", "dev", "lo", "classid", "1:20").CombinedOutput()
	if err != nil {
		s.t.Fatalf("tc class show: %v: %s", err, b)
	}
	for line := range strings.Lines(string(b)) {
		if strings.Contains(line, "Sent") {
			return strings.TrimSpace(line)
		}
	}
	return string(b)
}

// route sends the packets to port through the shaped class.
func (s shaper) route(port int) {
	s.t.Helper()
	s.run("tc", "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "u32",
		"match", "ip", "dport", strconv.Itoa(port), "0xffff", "flowid", "1:20")
}

// rate sets the shaped class's rate and ceiling ("400kbit", "10gbit").
func (s shaper) rate(r string) {
	s.t.Helper()
	s.run("tc", "class", "change", "dev", "lo", "parent", "1:", "classid", "1:20", "htb", "rate", r, "ceil", r)
}

// layerTrace follows one subscriber's layer of one video, noting each
// change with the time since mark.
type layerTrace struct {
	c      *loadtest.Client
	pub    string
	mark   time.Time
	layer  int
	events []string
}

// poll returns the stream, noting a layer change.
func (lt *layerTrace) poll() loadtest.Stream {
	s, _ := lt.c.Recv.Stream(lt.pub, true)
	if s.Layer != lt.layer {
		lt.layer = s.Layer
		lt.events = append(lt.events, fmt.Sprintf("%s after %v", loadtest.SimulcastRIDs[s.Layer], time.Since(lt.mark).Round(10*time.Millisecond)))
	}
	return s
}

// restart notes an event and measures from now.
func (lt *layerTrace) restart(what string) {
	lt.mark = time.Now()
	lt.events = append(lt.events, what+":")
}

// runConstrained is the scenario, inside the namespace.
func runConstrained(t *testing.T) {
	sh := shaper{t}
	sh.setup()
	ts := startServer(t, sfu.Config{})
	pub := ts.dialOpts(t, loadtest.Options{Room: "c", Name: "pub", Audio: true, Video: true, Simulcast: true})
	open := ts.dial(t, "c", "open", false, false)
	narrow := ts.dial(t, "c", "narrow", false, false)
	for _, c := range []*loadtest.Client{open, narrow} {
		if err := c.Send(map[string]any{"type": "video-size", "id": pub.ID, "height": 720}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 15*time.Second, "the full layer at both subscribers", func() bool {
		return layerIs(open, pub.ID, 2, 60) && layerIs(narrow, pub.ID, 2, 60)
	})
	port := narrow.LocalPort()
	if port == 0 {
		t.Fatal("no selected candidate pair for the constrained subscriber")
	}
	sh.route(port)

	limited, _ := narrow.Recv.Stream(pub.ID, true)
	openBefore, _ := open.Recv.Stream(pub.ID, true)
	tr := &layerTrace{c: narrow, pub: pub.ID, layer: 2}
	defer func() { t.Logf("constrained subscriber's layers: %s", strings.Join(tr.events, ", ")) }()
	tr.restart(fmt.Sprintf("limited to %d kbit/s", constrainedRate))
	sh.rate(strconv.Itoa(constrainedRate) + "kbit")
	waitFor(t, 20*time.Second, "the constrained subscriber below the full layer", func() bool {
		s := tr.poll()
		return s.Layer < 2 && s.Packets > limited.Packets
	})
	t.Logf("limited to %d kbit/s: below the full layer after %v", constrainedRate, time.Since(tr.mark).Round(10*time.Millisecond))
	holdBelowFull(t, tr, open, 8*time.Second)
	during, _ := narrow.Recv.Stream(pub.ID, true)
	t.Logf("shaped class so far: %s", sh.stats())

	tr.restart("limit lifted")
	sh.rate(openRate)
	waitFor(t, 30*time.Second, "the constrained subscriber back on the full layer", func() bool {
		s := tr.poll()
		return s.Layer == 2 && s.Packets > during.Packets
	})
	t.Logf("limit lifted: back on the full layer after %v", time.Since(tr.mark).Round(10*time.Millisecond))
	got, lost := during.Packets-limited.Packets, during.Lost-limited.Lost
	t.Logf("constrained subscriber while limited: %d video packets, %d lost (%.1f%%), %d late",
		got, lost, 100*float64(lost)/float64(max(got+lost, 1)), during.Reordered-limited.Reordered)
	if a, ok := narrow.Recv.Stream(pub.ID, false); ok {
		t.Logf("constrained subscriber's audio over the whole test: %d packets, %d lost", a.Packets, a.Lost)
	}
	for _, c := range []*loadtest.Client{open, narrow} {
		s, _ := c.Recv.Stream(pub.ID, true)
		t.Logf("%s: %d layer switches, %d after lost packets (keyframe start unknown), %d not on a keyframe",
			c.Name, s.Switches, s.BlindSwitches, s.DeltaSwitches)
		if s.DeltaSwitches != 0 || s.Corrupt != 0 {
			t.Errorf("%s: %d layer switches not on a keyframe, %d corrupt packets", c.Name, s.DeltaSwitches, s.Corrupt)
		}
	}
	if s, _ := open.Recv.Stream(pub.ID, true); s.Switches != openBefore.Switches {
		t.Errorf("the open subscriber switched layers %d times", s.Switches-openBefore.Switches)
	}
}

// holdBelowFull watches for d that the traced subscriber stays below the
// full layer while open stays on it, both receiving.
func holdBelowFull(t *testing.T, tr *layerTrace, open *loadtest.Client, d time.Duration) {
	t.Helper()
	n0 := tr.poll()
	o0, _ := open.Recv.Stream(tr.pub, true)
	var seen [3]int
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		n := tr.poll()
		o, _ := open.Recv.Stream(tr.pub, true)
		if n.Layer >= 2 {
			t.Fatalf("the constrained subscriber went back to the full layer while limited")
		}
		if o.Layer != 2 {
			t.Fatalf("the open subscriber left the full layer (layer %d)", o.Layer)
		}
		seen[n.Layer]++
	}
	n1 := tr.poll()
	o1, _ := open.Recv.Stream(tr.pub, true)
	if n1.Packets == n0.Packets || o1.Packets == o0.Packets {
		t.Fatalf("video stopped while limited: constrained %d→%d, open %d→%d packets", n0.Packets, n1.Packets, o0.Packets, o1.Packets)
	}
	t.Logf("while limited, the constrained subscriber's layer (sampled every 20 ms over %v): q %d, h %d", d, seen[0], seen[1])
}
