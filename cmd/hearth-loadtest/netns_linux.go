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
	"unsafe"

	"golang.org/x/sys/unix"
)

// serverNet is a network namespace of the server's own, joined to the load
// generator's by a veth pair whose ends receive on the receiving side's
// CPUs, as two machines' network cards do. Over loopback the kernel
// delivers a packet to the receiving socket inside the sender's sendto, so
// the server's CPU would pay for the clients' receive work.
//
// What the server sends (most of the traffic: each packet once per
// subscriber) arrives at the load generator's end through its NAPI ring,
// polled by a kernel thread pinned to the clients' CPUs on a timer while
// traffic flows, as a network card coalesces its interrupts: the server's
// sendto ends when the packet is in the ring. Receive Packet Steering alone
// would move the work too, but costs the sender an inter-processor
// interrupt for nearly every packet, which in a virtual machine traps to
// the hypervisor (about 10 µs each on the machine this was built on, more
// than the delivery it saves). What the clients send (a packet per
// publisher and RTCP) is steered by RPS to the server's CPUs, where its
// receive processing is the server's own work, as a network card's
// interrupts would be on its machine.
type serverNet struct {
	name            string // under /run/netns
	hostIf, srvIf   string // the veth ends: this namespace's and the server's
	hostIP, srvIP   net.IP
	hostRPS, srvRPS string // the masks read back from each end's rx queues
	hostThreads     []int  // the load generator's end's NAPI threads
}

// The load generator's end's interrupt coalescing: once a poll finds
// packets, the next is gro_flush_timeout later, on its own CPU's timer
// (the sender wakes nobody), until napi_defer_hard_irqs polls in a row
// found none; then the sender wakes the thread again.
const (
	groFlushTimeoutNS = 100000
	napiDeferPolls    = 100
)

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
	// GRO on gives the load generator's end NAPI (a receive ring polled
	// like a network card's) instead of delivery in the sender's call, for
	// what comes from a peer without TSO (veth_skb_is_eligible_for_gro);
	// threaded, the polling is a kernel thread that can be pinned.
	if err := ethtoolSet(n.hostIf, unix.ETHTOOL_SGRO, 1); err != nil {
		return err
	}
	if err := withNetns(n.path(), func() error { return ethtoolSet(n.srvIf, unix.ETHTOOL_STSO, 0) }); err != nil {
		return err
	}
	// This process's sysfs shows its own namespace's devices: the server's
	// end is written from inside its namespace, where ip netns exec mounts
	// a sysfs of that namespace.
	const rps = `for f in /sys/class/net/$1/queues/rx-*/rps_cpus; do echo $2 > $f || exit 1; done; cat /sys/class/net/$1/queues/rx-*/rps_cpus`
	napi := fmt.Sprintf(`cd /sys/class/net/$1 && echo 1 > threaded && echo %d > napi_defer_hard_irqs && echo %d > gro_flush_timeout || exit 1
`, napiDeferPolls, groFlushTimeoutNS)
	before := napiThreads()
	if n.hostRPS, err = runOut("sh", "-c", napi+rps, "sh", n.hostIf, cpuMask(clients)); err != nil {
		return fmt.Errorf("receive on the load generator's CPUs at %s: %w", n.hostIf, err)
	}
	if n.hostThreads = newThreads(before, napiThreads()); len(n.hostThreads) == 0 {
		return fmt.Errorf("no NAPI thread appeared for %s", n.hostIf)
	}
	if err := pinThreads(n.hostThreads, clients); err != nil {
		return err
	}
	if n.srvRPS, err = runOut("ip", "netns", "exec", n.name, "sh", "-c", rps, "sh", n.srvIf, cpuMask(server)); err != nil {
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
	return fmt.Sprintf("server in network namespace %s at %s (%s), load generator at %s (%s); received at %s on CPUs %s (NAPI thread %v, polled every %d µs while busy), at %s on CPUs %s (RPS)",
		n.name, n.srvIP, n.srvIf, n.hostIP, n.hostIf, n.hostIf, n.hostRPS, n.hostThreads, groFlushTimeoutNS/1000, n.srvIf, n.srvRPS)
}

// vethDrops counts the packets dropped at the server's end of the veth
// pair (the load generator's ring full).
func (n *serverNet) vethDrops() (uint64, error) {
	out, err := runOut("ip", "netns", "exec", n.name, "cat", "/sys/class/net/"+n.srvIf+"/statistics/tx_dropped")
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(out, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s tx_dropped: %w", n.srvIf, err)
	}
	return v, nil
}

// udpRcvbufErrors counts the datagrams this network namespace's UDP
// sockets dropped because their receive buffers were full.
func udpRcvbufErrors() (uint64, error) {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0, err
	}
	// Two "Udp:" lines: the names, then the values.
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "Udp:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, name := range names {
			if name == "RcvbufErrors" && i < len(f) {
				return strconv.ParseUint(f[i], 10, 64)
			}
		}
	}
	return 0, errors.New("no Udp RcvbufErrors in /proc/net/snmp")
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

// ethtoolSet sets one of dev's offloads (ETHTOOL_SGRO, ETHTOOL_STSO...)
// in the calling thread's network namespace: iproute2 cannot, and ethtool
// may not be installed.
func ethtoolSet(dev string, cmd, data uint32) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	val := struct{ cmd, data uint32 }{cmd, data}
	var ifr struct {
		name [unix.IFNAMSIZ]byte
		data unsafe.Pointer
		_    [16]byte // the rest of struct ifreq
	}
	copy(ifr.name[:], dev)
	ifr.data = unsafe.Pointer(&val)
	if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr))); errno != 0 {
		return fmt.Errorf("ethtool command %#x on %s: %w", cmd, dev, errno)
	}
	return nil
}

// napiThreads lists the kernel's NAPI threads of this tool's veth pairs
// ("napi/hlt<pid>a-<id>" cut to 15 characters, so they are told apart by
// when they appear).
func napiThreads() map[int]bool {
	out := map[int]bool{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if comm, err := os.ReadFile("/proc/" + e.Name() + "/comm"); err == nil && strings.HasPrefix(string(comm), "napi/hlt") {
			out[pid] = true
		}
	}
	return out
}

func newThreads(before, after map[int]bool) []int {
	var out []int
	for pid := range after {
		if !before[pid] {
			out = append(out, pid)
		}
	}
	return out
}

// pinThreads puts kernel threads on cpus at real-time priority, as a
// network card's interrupt would preempt what runs there.
func pinThreads(tids, cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	for _, tid := range tids {
		if err := unix.SchedSetaffinity(tid, &set); err != nil {
			return fmt.Errorf("pin NAPI thread %d: %w", tid, err)
		}
		if err := unix.SchedSetAttr(tid, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: 50}, 0); err != nil {
			return fmt.Errorf("NAPI thread %d real-time: %w", tid, err)
		}
	}
	return nil
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
