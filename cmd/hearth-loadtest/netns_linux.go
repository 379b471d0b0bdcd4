package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// serverNet is a network namespace of the server's own, joined to the load
// generator's by a veth pair, with Receive Packet Steering on both ends so
// that each side's receive processing runs on its own CPUs, as on two
// machines on a network. Over loopback the kernel delivers a packet to the
// receiving socket inside the sender's sendto, so the server's CPU would
// pay for the clients' receive work (and the clients' for the server's).
type serverNet struct {
	name            string // under /run/netns
	hostIf, srvIf   string // the veth ends: this namespace's and the server's
	hostIP, srvIP   net.IP
	hostRPS, srvRPS string // the masks read back from each end's rx queues
}

// newServerNet creates the namespace and the veth pair for this process,
// steers what arrives at the load generator's end (what the server sent)
// to the clients' CPUs and what arrives at the server's end to the
// server's, and checks both masks by reading them back. It needs root and
// the ip command (iproute2). Close it after the server has exited.
func newServerNet(server, clients []int) (*serverNet, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("-server-netns needs root (it creates a network namespace and a veth pair)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, errors.New("-server-netns needs the ip command (iproute2)")
	}
	octet, err := freeSubnet()
	if err != nil {
		return nil, err
	}
	pid := strconv.Itoa(os.Getpid())
	n := &serverNet{name: "hearth-lt-" + pid, hostIf: "hlt" + pid + "a", srvIf: "hlt" + pid + "b",
		hostIP: net.IPv4(10, 211, byte(octet), 1), srvIP: net.IPv4(10, 211, byte(octet), 2)}
	if err := ipCmd("netns", "add", n.name); err != nil {
		return nil, err
	}
	if err := n.setUp(server, clients); err != nil {
		_ = n.close()
		return nil, err
	}
	return n, nil
}

func (n *serverNet) setUp(server, clients []int) error {
	host, srv := n.hostIP.String()+"/30", n.srvIP.String()+"/30"
	steps := [][]string{
		{"link", "add", n.hostIf, "type", "veth", "peer", "name", n.srvIf},
		{"link", "set", n.srvIf, "netns", n.name},
		{"addr", "add", host, "dev", n.hostIf},
		{"link", "set", n.hostIf, "up"},
		{"-n", n.name, "addr", "add", srv, "dev", n.srvIf},
		{"-n", n.name, "link", "set", n.srvIf, "up"},
		{"-n", n.name, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			return err
		}
	}
	var err error
	// This process's sysfs shows its own namespace's devices: the server's
	// end is written from inside its namespace, where ip netns exec mounts
	// a sysfs of that namespace.
	const script = `for f in /sys/class/net/$1/queues/rx-*/rps_cpus; do echo $2 > $f || exit 1; done; cat /sys/class/net/$1/queues/rx-*/rps_cpus`
	if n.hostRPS, err = runOut("sh", "-c", script, "sh", n.hostIf, cpuMask(clients)); err != nil {
		return fmt.Errorf("steer %s to the load generator's CPUs: %w", n.hostIf, err)
	}
	if n.srvRPS, err = runOut("ip", "netns", "exec", n.name, "sh", "-c", script, "sh", n.srvIf, cpuMask(server)); err != nil {
		return fmt.Errorf("steer %s to the server's CPUs: %w", n.srvIf, err)
	}
	for _, c := range []struct{ got, want, dev string }{{n.hostRPS, cpuMask(clients), n.hostIf}, {n.srvRPS, cpuMask(server), n.srvIf}} {
		for _, q := range strings.Fields(c.got) {
			if !sameMask(q, c.want) {
				return fmt.Errorf("%s: rps_cpus reads %s after writing %s (is RPS in this kernel?)", c.dev, q, c.want)
			}
		}
	}
	return nil
}

// path is where the namespace can be opened.
func (n *serverNet) path() string { return filepath.Join("/run/netns", n.name) }

// String tells what was set up.
func (n *serverNet) String() string {
	return fmt.Sprintf("server in network namespace %s at %s (%s), load generator at %s (%s); receive steering: %s -> CPUs mask %s, %s -> CPUs mask %s",
		n.name, n.srvIP, n.srvIf, n.hostIP, n.hostIf, n.hostIf, n.hostRPS, n.srvIf, n.srvRPS)
}

// close deletes the veth pair (both ends go together) and the namespace.
func (n *serverNet) close() error {
	var errs []error
	if _, err := net.InterfaceByName(n.hostIf); err == nil {
		errs = append(errs, ipCmd("link", "del", n.hostIf))
	}
	errs = append(errs, ipCmd("netns", "del", n.name))
	return errors.Join(errs...)
}

// freeSubnet picks the third octet of a 10.211.x.0/30 that no address of
// this machine is in or covers, starting from one the process id gives so
// that two runs at once take different ones.
func freeSubnet() (int, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return 0, fmt.Errorf("list addresses: %w", err)
	}
	start := os.Getpid() % 256
	for i := range 256 {
		x := (start + i) % 256
		subnet := &net.IPNet{IP: net.IPv4(10, 211, byte(x), 0), Mask: net.CIDRMask(30, 32)}
		used := false
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && (ipn.Contains(subnet.IP) || subnet.Contains(ipn.IP)) {
				used = true
				break
			}
		}
		if !used {
			return x, nil
		}
	}
	return 0, errors.New("-server-netns: no free 10.211.x.0/30 subnet")
}

func ipCmd(args ...string) error {
	_, err := runOut("ip", args...)
	return err
}

// runOut runs a command and returns its output, or an error with what it
// wrote to stderr.
func runOut(name string, args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// cpuMask writes CPUs as the kernel's hexadecimal bitmap, in 32-bit
// groups separated by commas ("1", "2", "1,00000000").
func cpuMask(cpus []int) string {
	var words []uint32
	for _, c := range cpus {
		for len(words) <= c/32 {
			words = append(words, 0)
		}
		words[c/32] |= 1 << (c % 32)
	}
	if len(words) == 0 {
		return "0"
	}
	parts := []string{strconv.FormatUint(uint64(words[len(words)-1]), 16)}
	for i := len(words) - 2; i >= 0; i-- {
		parts = append(parts, fmt.Sprintf("%08x", words[i]))
	}
	return strings.Join(parts, ",")
}

// sameMask compares two bitmaps as the kernel writes them, whatever their
// zero padding.
func sameMask(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimLeft(strings.ReplaceAll(s, ",", ""), "0")
		if s == "" {
			return "0"
		}
		return s
	}
	return norm(a) == norm(b)
}

// withNetns runs fn on a thread that is in the network namespace at path:
// a process fn starts is born in it. The thread then goes back to this
// process's namespace.
func withNetns(path string, fn func() error) error {
	runtime.LockOSThread()
	own, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("open own network namespace: %w", err)
	}
	defer own.Close()
	target, err := os.Open(path)
	if err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("open network namespace: %w", err)
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("enter network namespace %s: %w", path, err)
	}
	ferr := fn()
	if err := unix.Setns(int(own.Fd()), unix.CLONE_NEWNET); err != nil {
		// The thread stays locked: no other goroutine may run in the
		// server's namespace by chance. The caller gives up on the run.
		return errors.Join(ferr, fmt.Errorf("leave network namespace: %w", err))
	}
	runtime.UnlockOSThread()
	return ferr
}

// softnet is one CPU's receive counters from /proc/net/softnet_stat.
type softnet struct {
	processed uint64 // packets its softirq received
	rpsIPIs   uint64 // times another CPU woke it to take steered packets
}

// readSoftnet reads every online CPU's receive counters.
func readSoftnet() (map[int]softnet, error) {
	b, err := os.ReadFile("/proc/net/softnet_stat")
	if err != nil {
		return nil, err
	}
	out := map[int]softnet{}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		cpu := i
		if len(f) >= 13 { // since Linux 5.10 the CPU is the 13th column
			if c, err := strconv.ParseUint(f[12], 16, 32); err == nil {
				cpu = int(c)
			}
		}
		p, _ := strconv.ParseUint(f[0], 16, 32)
		r, _ := strconv.ParseUint(f[9], 16, 32)
		out[cpu] = softnet{p, r}
	}
	return out, nil
}

// softnetText tells on which CPUs the kernel received packets between two
// readings: with the server in its namespace, the packets it sends are
// received on the load generator's CPUs, and the clients' on the
// server's.
func softnetText(before, after map[int]softnet, server []int) string {
	var parts []string
	for cpu := 0; cpu < 1024; cpu++ {
		a, ok := after[cpu]
		if !ok {
			continue
		}
		b := before[cpu]
		who := "load generator"
		for _, s := range server {
			if s == cpu {
				who = "server"
			}
		}
		parts = append(parts, fmt.Sprintf("CPU %d (%s) %d packets, %d RPS wakeups",
			cpu, who, uint32(a.processed-b.processed), uint32(a.rpsIPIs-b.rpsIPIs)))
	}
	return "kernel receive (softirq) during the run: " + strings.Join(parts, "; ")
}
