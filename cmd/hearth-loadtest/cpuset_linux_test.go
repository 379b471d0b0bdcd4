package main

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseCPUList(t *testing.T) {
	for in, want := range map[string][]int{"": nil, "0": {0}, "0,2-3": {0, 2, 3}, "1-1,1": {1}} {
		got, err := parseCPUList(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseCPUList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"x", "3-1", "-1", "0,", "99999"} {
		if _, err := parseCPUList(bad); err == nil {
			t.Errorf("parseCPUList(%q): no error", bad)
		}
	}
}

// needPinning skips a test (fails it under CI, whose machine has them)
// unless this process may use CPU 0 and one more and missing is empty,
// and gives the process its CPUs (returned) back when the test ends.
func needPinning(t *testing.T, missing string) unix.CPUSet {
	t.Helper()
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil || !own.IsSet(0) || own.Count() < 2 {
		missing = "CPU 0 and one more"
	}
	if missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("needs %s; CI's machine must have it", missing)
		}
		t.Skip("needs " + missing)
	}
	t.Cleanup(func() {
		if err := pinProcess(os.Getpid(), &own); err != nil {
			t.Error(err)
		}
	})
	return own
}

// TestStartPinned starts a child on CPU 0 and checks what the kernel says
// of its affinity and of every thread of this process afterwards.
func TestStartPinned(t *testing.T) {
	own := needPinning(t, "")
	cmd := exec.Command("grep", "Cpus_allowed_list", "/proc/self/status")
	var out bytes.Buffer
	cmd.Stdout = &out
	clients, err := startPinned(cmd, []int{0}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(out.String()); len(got) != 2 || got[1] != "0" {
		t.Errorf("child: %q, want CPU 0", out.String())
	}
	if slices.Contains(clients, 0) || len(clients) != own.Count()-1 {
		t.Errorf("load generator's CPUs %v", clients)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/status")
		if err != nil {
			continue // exited
		}
		for _, line := range strings.Split(string(b), "\n") {
			v, ok := strings.CutPrefix(line, "Cpus_allowed_list:")
			if !ok {
				continue
			}
			if got, err := parseCPUList(strings.TrimSpace(v)); err != nil || !slices.Equal(got, clients) {
				t.Errorf("thread %s on CPUs %s, want %v", task.Name(), strings.TrimSpace(v), clients)
			}
		}
	}
}
