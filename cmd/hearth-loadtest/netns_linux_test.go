package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCPUMask(t *testing.T) {
	for _, c := range []struct {
		cpus []int
		want string
	}{{nil, "0"}, {[]int{0}, "1"}, {[]int{1}, "2"}, {[]int{0, 2, 3}, "d"}, {[]int{32}, "1,00000000"}, {[]int{1, 33}, "2,00000002"}} {
		if got := cpuMask(c.cpus); got != c.want {
			t.Errorf("cpuMask(%v) = %q, want %q", c.cpus, got, c.want)
		}
	}
	if !sameMask("00000000,00000002", "2") || sameMask("2", "1") {
		t.Error("sameMask")
	}
}

// TestServerNet builds the server's namespace, veth pair and receive
// steering, starts a child in it from a pinned thread, and checks what the
// kernel says: the child's network namespace is the new one, the steering
// masks read back on both ends, and nothing is left after close.
func TestServerNet(t *testing.T) {
	switch _, ipErr := exec.LookPath("ip"); {
	case os.Geteuid() != 0:
		needPinning(t, "root")
	case ipErr != nil:
		needPinning(t, "the ip command (iproute2)")
	default:
		needPinning(t, "")
	}
	clients, err := otherCPUs([]int{0})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := newServerNet([]int{0}, clients)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = sn.close()
		}
	})
	cmd := exec.Command("readlink", "/proc/self/ns/net")
	var out bytes.Buffer
	cmd.Stdout = &out
	if _, err := startPinned(cmd, []int{0}, sn.path()); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	mine, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(sn.path(), &st); err != nil {
		t.Fatal(err)
	}
	child := strings.TrimSpace(out.String())
	if child == mine || child != fmt.Sprintf("net:[%d]", st.Ino) {
		t.Errorf("child in %s; this process in %s, the server's namespace is net:[%d]", child, mine, st.Ino)
	}
	// The thread that started the child went back to this process's
	// namespace: every thread of the process is in it.
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if ns, err := os.Readlink("/proc/self/task/" + task.Name() + "/ns/net"); err == nil && ns != mine {
			t.Errorf("thread %s is in %s", task.Name(), ns)
		}
	}
	host, err := os.ReadFile("/sys/class/net/" + sn.hostIf + "/queues/rx-0/rps_cpus")
	if err != nil || !sameMask(strings.TrimSpace(string(host)), cpuMask(clients)) {
		t.Errorf("%s steers to %q (%v), want %s", sn.hostIf, host, err, cpuMask(clients))
	}
	// The load generator's end is polled by NAPI threads on its CPUs.
	if len(sn.hostThreads) == 0 {
		t.Errorf("%s has no NAPI thread", sn.hostIf)
	}
	for _, tid := range sn.hostThreads {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &set); err != nil || set.IsSet(0) || set.Count() != len(clients) {
			t.Errorf("NAPI thread %d on CPUs %v (%v), want %v", tid, set, err, clients)
		}
	}
	if th, err := os.ReadFile("/sys/class/net/" + sn.hostIf + "/threaded"); err != nil || strings.TrimSpace(string(th)) != "1" {
		t.Errorf("%s threaded = %q (%v)", sn.hostIf, th, err)
	}
	srv, err := runOut("ip", "netns", "exec", sn.name, "cat", "/sys/class/net/"+sn.srvIf+"/queues/rx-0/rps_cpus")
	if err != nil || !sameMask(srv, "1") {
		t.Errorf("%s steers to %q (%v), want 1", sn.srvIf, srv, err)
	}
	closed = true
	if err := sn.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.InterfaceByName(sn.hostIf); err == nil {
		t.Errorf("%s left behind", sn.hostIf)
	}
	if _, err := os.Stat(sn.path()); err == nil {
		t.Errorf("%s left behind", sn.path())
	}
}
