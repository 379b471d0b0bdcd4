// Command hearth-loadtest measures an SFU with synthetic Pion participants
// that join one room over the real signaling, publish audio (and video for
// -cameras of them) at realistic rates, and subscribe to everyone else.
//
// Without -url it starts a loopback server in a child process (so that the
// server's CPU and memory are measured apart from the clients) and runs
// against it:
//
//	hearth-loadtest -participants 20 -cameras 10 -duration 20s
//
// With -url, pass -pid to sample a local server's CPU and memory.
//
// The clients usually need more CPU than the server they load (each one
// decrypts what the server encrypts for it). On a small machine, confine the
// server to a share of it with -server-cores (Linux, root), so that its
// utilisation of that share can be pushed to 80% while the clients use the
// rest:
//
//	hearth-loadtest -server-cores 0.25 -participants 12 -cameras 10
//
// or give the server CPUs of its own with -server-cpus (Linux): the server
// runs on those, the load generator on the others, so that neither takes
// the other's time and the server's figure per core is its own:
//
//	hearth-loadtest -server-cpus 0 -participants 24 -cameras 10
//
// On loopback, the kernel delivers each packet to the receiving socket
// inside the sender's sendto: the server's CPU pays for the clients'
// receive work, which on a real network the members' machines do. With
// -server-netns (Linux, root, iproute2; needs -server-cpus) the server
// runs in a network namespace of its own, joined to the load generator's
// by a veth pair whose ends receive on the receiving side's CPUs (the
// clients' end through a NAPI ring polled by a kernel thread on their
// CPUs, the server's end steered there by RPS; see serverNet), so that
// the server's figure is its own work:
//
//	hearth-loadtest -server-cpus 0 -server-netns -participants 24 -cameras 10
//
// -preset large-room gives the shape of a large speaker meeting (see
// loadtest.Config.LargeRoom): 10 simulcast cameras, 3 speaking at a time,
// everyone showing small tiles and the active speaker large.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// clientGCPercent is the load generator's GOGC (not the server's).
const clientGCPercent = 400

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hearth-loadtest:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("hearth-loadtest", flag.ContinueOnError)
	url := fs.String("url", "", "signaling WebSocket URL, e.g. ws://127.0.0.1:8080/rtc (empty: start a loopback server)")
	room := fs.String("room", "load", "room id")
	n := fs.Int("participants", 10, "participants (all publish audio)")
	cams := fs.Int("cameras", 2, "participants that also publish video")
	dur := fs.Duration("duration", 15*time.Second, "measurement time")
	warm := fs.Duration("warmup", 5*time.Second, "time to settle before measuring")
	pid := fs.Int("pid", 0, "server process id to sample (with -url)")
	serverCPUs := fs.String("server-cpus", "", "pin the loopback server to these CPUs (e.g. 0 or 0,2-3) and the load generator to the others (Linux)")
	serverCores := fs.Float64("server-cores", 0, "confine the loopback server to this many cores (Linux cgroup, needs root; 0: no limit)")
	cpuProfile := fs.String("cpuprofile", "", "write the load generator's own CPU profile to this file")
	serverProfile := fs.String("server-cpuprofile", "", "write the loopback server's CPU profile to this file")
	preset := fs.String("preset", "", "load shape: large-room (10 simulcast cameras, 3 speakers at a time, small tiles and the speaker large; -cameras is ignored)")
	simulcast := fs.Bool("simulcast", false, "cameras send three simulcast layers")
	netns := fs.Bool("server-netns", false, "run the loopback server in a network namespace of its own, reached over a veth pair whose receive work runs on the receiving side's CPUs (Linux, root; needs -server-cpus)")
	serve := fs.Bool("serve", false, "internal: run only the loopback server and print its URL")
	serveAddr := fs.String("serve-addr", "127.0.0.1", "internal: the address the -serve server listens on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// SIGTERM too: a namespace and veth pair (-server-netns) must not be
	// left behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if (*serverCores != 0 || *serverProfile != "" || *serverCPUs != "" || *netns) && *url != "" {
		return errors.New("-server-cores, -server-cpus, -server-netns and -server-cpuprofile are for the loopback server: use them without -url")
	}
	pinned, err := parseCPUList(*serverCPUs)
	if err != nil {
		return fmt.Errorf("-server-cpus: %w", err)
	}
	if *netns && len(pinned) == 0 {
		return errors.New("-server-netns needs -server-cpus: its receive steering sends each side's packets to that side's CPUs")
	}
	if *cpuProfile != "" {
		stopProfile, err := startProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if *serve {
		return serveLoopback(ctx, *serveAddr)
	}
	// The load generator's own collector runs a quarter as often (the
	// server child keeps the default): its many Pion clients are what
	// runs out first on a small machine, and a tenth of their CPU went to
	// collecting garbage.
	debug.SetGCPercent(clientGCPercent)
	cfg := loadtest.Config{URL: *url, Room: *room, Participants: *n, Cameras: min(*cams, *n), Simulcast: *simulcast,
		Warmup: *warm, Duration: *dur, Loopback: *url == ""}
	switch *preset {
	case "":
	case "large-room":
		cfg.LargeRoom()
	default:
		return fmt.Errorf("unknown -preset %q (known: large-room)", *preset)
	}
	var group *cgroup
	var sn *serverNet
	if *url == "" {
		if *netns {
			others, err := otherCPUs(pinned)
			if err != nil {
				return err
			}
			if sn, err = newServerNet(pinned, others); err != nil {
				return err
			}
			defer func() {
				// After the server's exit (deferred below, so run first).
				if err := sn.close(); err != nil {
					fmt.Fprintln(os.Stderr, "hearth-loadtest: remove network namespace:", err)
				}
			}()
			fmt.Println(sn)
			cfg.Loopback, cfg.LocalIP = false, sn.hostIP
		}
		child, u, clients, err := startChild(ctx, *serverProfile, pinned, sn)
		if err != nil {
			return err
		}
		if len(pinned) > 0 {
			fmt.Printf("server pinned to CPU %s, load generator to CPU %s\n", cpuListText(pinned), cpuListText(clients))
		}
		defer func() {
			stopChild(child)
			if group == nil {
				return
			}
			// The group can go only once the server in it has exited.
			if err := group.remove(); err != nil {
				fmt.Fprintln(os.Stderr, "hearth-loadtest:", err)
			}
		}()
		cfg.URL, *pid = u, child.Process.Pid
		if *serverCores > 0 {
			if group, err = confine(child.Process.Pid, *serverCores); err != nil {
				return err
			}
		}
	}
	var throttle []throttleSample
	if *pid > 0 {
		p := *pid
		cfg.Usage = func() (float64, int64, error) {
			if group != nil {
				if periods, n, err := group.throttled(); err == nil {
					throttle = append(throttle, throttleSample{periods, n})
				}
			}
			return procUsage(p)
		}
	}
	soft0, softErr := readSoftnet()
	drops0, dropErr := kernelDrops(sn)
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Println(rep)
	if drops1, err := kernelDrops(sn); err == nil && dropErr == nil && *url == "" {
		fmt.Println(drops1.since(drops0, sn != nil))
	}
	if soft1, err := readSoftnet(); err == nil && softErr == nil && len(pinned) > 0 {
		fmt.Println(softnetText(soft0, soft1, pinned))
	}

	if m := rep.MemoryText(); m != "" {
		fmt.Println(m)
	}
	if group != nil && rep.ServerCores >= 0 {
		// Received packets are the forwarded ones that arrived; a core as
		// busy as the confined share forwards received / share per second.
		fmt.Printf("server confined to %.2f cores: %.0f%% of them used; %.0f pkt/s per core at that use%s\n",
			*serverCores, 100*rep.ServerCores / *serverCores, rep.ReceivedPerSecond / *serverCores, throttleText(throttle))
	}
	if len(pinned) > 0 && rep.ServerCores > 0 {
		// Pinned, the server's CPU is its own core's time: the rate a core
		// gives at 80% use scales from the use measured.
		fmt.Printf("server pinned to %d CPU(s): %.0f%% of them used; %.0f pkt/s per core at that use, %.0f scaled to 80%%\n",
			len(pinned), 100*rep.ServerCores/float64(len(pinned)), rep.ReceivedPerSecond/float64(len(pinned)),
			0.8*rep.ReceivedPerSecond/rep.ServerCores)
	}
	return nil
}

// throttleSample is a cgroup's CFS period counters at one moment.
type throttleSample struct{ periods, throttled int64 }

// throttleText tells in how many scheduler periods of the measurement the
// confined server ran out of its quota: a server near its limit is
// throttled often, which costs latency.
func throttleText(s []throttleSample) string {
	if len(s) < 2 {
		return ""
	}
	a, b := s[0], s[len(s)-1]
	if b.periods <= a.periods {
		return ""
	}
	return fmt.Sprintf("; throttled in %.1f%% of %d ms periods", 100*float64(b.throttled-a.throttled)/float64(b.periods-a.periods), cgroupPeriodUS/1000)
}

// startProfile writes the load generator's CPU profile, to show where the
// clients spend their time.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

// startChild re-executes this binary with -serve and reads the URL it
// prints. With cpus, the child runs on those CPUs and this process on the
// others, which it returns.
// With sn, the child runs in the server's network namespace and listens at
// its address there.
func startChild(ctx context.Context, profile string, cpus []int, sn *serverNet) (cmd *exec.Cmd, url string, clients []int, err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", nil, fmt.Errorf("find executable: %w", err)
	}
	args := []string{"-serve"}
	if profile != "" {
		args = append(args, "-cpuprofile", profile)
	}
	nsPath := ""
	if sn != nil {
		args = append(args, "-serve-addr", sn.srvIP.String())
		nsPath = sn.path()
	}
	cmd = exec.CommandContext(ctx, self, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", nil, fmt.Errorf("child stdout: %w", err)
	}
	if len(cpus) > 0 {
		clients, err = startPinned(cmd, cpus, nsPath)
		if err != nil && cmd.Process != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	} else if err = cmd.Start(); err != nil {
		err = fmt.Errorf("start server: %w", err)
	}
	if err != nil {
		return nil, "", nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", nil, fmt.Errorf("read server URL: %w", err)
	}
	return cmd, strings.TrimSpace(line), clients, nil
}

// stopChild asks the server to stop (so that its profile is written) and
// kills it if it has not within a few seconds.
func stopChild(cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// serveLoopback runs the server at addr: 127.0.0.1, or the server's end
// of the veth pair in its own network namespace (-server-netns), where it
// is the namespace's only address and the media port listens there alone.
func serveLoopback(ctx context.Context, addr string) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	// The load clients send more than a browser would at join; the rate
	// limit stays on, only higher.
	reg := prometheus.NewRegistry()
	loopback := net.ParseIP(addr).IsLoopback()
	s, err := sfu.New(sfu.Config{LoopbackOnly: loopback, MessagesPerSecond: 1000, MessageBurst: 2000, Registerer: reg},
		loadtest.OpenRooms{Max: 1000}, log)
	if err != nil {
		return err
	}
	defer s.Close()
	defer reportDrops(reg)
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/rtc", s)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = hs.Close() }()
	fmt.Printf("ws://%s/rtc\n", ln.Addr())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// reportDrops tells, when the server stops, how many packets it dropped
// for subscribers that could not take them (full send queues): part of
// the loss the clients saw, and none of it the network's.
func reportDrops(reg *prometheus.Registry) {
	mfs, err := reg.Gather()
	if err != nil {
		return
	}
	var parts []string
	for _, mf := range mfs {
		if mf.GetName() != "hearth_sfu_dropped_packets_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				parts = append(parts, fmt.Sprintf("%s %.0f", l.GetValue(), m.GetCounter().GetValue()))
			}
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(os.Stderr, "server: dropped for slow subscribers: %s\n", strings.Join(parts, ", "))
	} else {
		fmt.Fprintln(os.Stderr, "server: dropped for slow subscribers: none")
	}
}

// procUsage reads a process's CPU seconds and resident memory from /proc.
func procUsage(pid int) (float64, int64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read stat: %w", err)
	}
	// Fields after the command name (which may contain spaces).
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	if len(fields) < 22 {
		return 0, 0, errors.New("short /proc stat")
	}
	var utime, stime, rssPages int64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	fmt.Sscan(fields[21], &rssPages)
	const ticks = 100 // USER_HZ on Linux
	return float64(utime+stime) / ticks, rssPages * int64(os.Getpagesize()), nil
}

// drops are the kernel's drop counters on the way to the clients.
type drops struct{ veth, sockets uint64 }

// kernelDrops reads them: the UDP sockets' of this namespace (the
// clients', and the loopback server's) and, with sn, the veth pair's.
func kernelDrops(sn *serverNet) (drops, error) {
	var d drops
	var err error
	if d.sockets, err = udpRcvbufErrors(); err != nil {
		return d, err
	}
	if sn != nil {
		d.veth, err = sn.vethDrops()
	}
	return d, err
}

func (d drops) since(before drops, veth bool) string {
	if !veth {
		return fmt.Sprintf("kernel drops during the run: %d at UDP sockets with full receive buffers (clients' and server's)", d.sockets-before.sockets)
	}
	return fmt.Sprintf("kernel drops during the run: %d at the veth pair, %d at the clients' UDP sockets with full receive buffers", d.veth-before.veth, d.sockets-before.sockets)
}

// parseCPUList reads a CPU list as Linux writes them ("0", "0,2-3").
func parseCPUList(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var cpus []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b >= 1024 {
			return nil, fmt.Errorf("%q is not a CPU list like 0 or 0,2-3", s)
		}
		for c := a; c <= b; c++ {
			if !seen[c] {
				seen[c] = true
				cpus = append(cpus, c)
			}
		}
	}
	return cpus, nil
}

// cpuListText writes CPUs as a comma-separated list.
func cpuListText(cpus []int) string {
	parts := make([]string, len(cpus))
	for i, c := range cpus {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}
