package sfu_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// rerunInNetns runs the current test again, alone, in a network namespace
// of its own (`unshare --net`, with inNetnsEnv set), streaming its output,
// and fails when it fails there. The test checks os.Getenv(inNetnsEnv)
// first and does its work only in the child, which alone touches the
// network configuration.
func rerunInNetns(t *testing.T, unshare string) {
	t.Helper()
	ctx := context.Background()
	timeout := 2 * time.Minute
	if d, ok := t.Deadline(); ok {
		timeout = time.Until(d) - 5*time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, unshare, "--net", "--", os.Args[0],
		"-test.run", "^"+t.Name()+"$", "-test.v=true", "-test.count=1",
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
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		t.Log(line)
		if strings.Contains(line, "--- SKIP: "+t.Name()) {
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

// inOwnNetns fails unless the process runs in a network namespace other
// than the parent test's: a guard before changing any network setting.
func inOwnNetns(t *testing.T) {
	t.Helper()
	self, err := os.Readlink("/proc/self/ns/net")
	outer := os.Getenv(outerNetnsEnv)
	if err != nil || outer == "" || self == outer {
		t.Fatalf("%s=1 but not in a network namespace of its own (%q, parent's %q, %v): refusing to touch the network", inNetnsEnv, self, outer, err)
	}
}

// requireTools returns the paths of tools, once the test runs as root (a
// network namespace needs it). Missing ones fail in CI and skip elsewhere.
func requireTools(t *testing.T, tools ...string) map[string]string {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if os.Geteuid() != 0 {
		missing("needs root for a network namespace")
	}
	paths := map[string]string{}
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			missing(tool + " not found")
		}
		paths[tool] = p
	}
	return paths
}

// netnsRun runs a command in the test's namespace, failing the test on error.
func netnsRun(t *testing.T, args ...string) {
	t.Helper()
	b, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, b)
	}
}
