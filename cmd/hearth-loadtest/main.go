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
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

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
	serve := fs.Bool("serve", false, "internal: run only the loopback server and print its URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *serve {
		return serveLoopback(ctx)
	}
	cfg := loadtest.Config{URL: *url, Room: *room, Participants: *n, Cameras: min(*cams, *n),
		Warmup: *warm, Duration: *dur, Loopback: *url == ""}
	if *url == "" {
		child, u, err := startChild(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
		cfg.URL, *pid = u, child.Process.Pid
	}
	if *pid > 0 {
		p := *pid
		cfg.Usage = func() (float64, int64, error) { return procUsage(p) }
	}
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Println(rep)
	return nil
}

// startChild re-executes this binary with -serve and reads the URL it
// prints.
func startChild(ctx context.Context) (*exec.Cmd, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("find executable: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "-serve")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", fmt.Errorf("child stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start server: %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, "", fmt.Errorf("read server URL: %w", err)
	}
	return cmd, strings.TrimSpace(line), nil
}

type openPolicy struct{}

func (openPolicy) Room(context.Context, string) (sfu.RoomInfo, error) { return sfu.RoomInfo{}, nil }

func serveLoopback(ctx context.Context) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	// The load clients send more than a browser would at join; the rate
	// limit stays on, only higher.
	s, err := sfu.New(sfu.Config{LoopbackOnly: true, MessagesPerSecond: 1000, MessageBurst: 2000}, openPolicy{}, log)
	if err != nil {
		return err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
