package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroupPeriodUS is the CFS period for a confined server. A short period
// spreads the quota thinly, so a confined server is throttled for at most a
// few milliseconds at a time rather than the default 100 ms, which would
// show up as latency that a server on its own cores would never have.
const cgroupPeriodUS = 10000

// confine moves process pid into a new cgroup limited to cores CPUs, so
// that a server sharing the machine with its load generator gets a known
// share of it and its utilisation can be read against that share. It needs
// root and either cgroup v2 or v1's cpu controller. Remove the group after
// pid has exited.
func confine(pid int, cores float64) (*cgroup, error) {
	quota := int64(cores * cgroupPeriodUS)
	if quota < 1000 {
		return nil, fmt.Errorf("server cores %.3f: at least 0.1", cores)
	}
	name := "hearth-loadtest-" + strconv.Itoa(pid)
	g := &cgroup{}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		g.dir = filepath.Join("/sys/fs/cgroup", name)
		g.files = map[string]string{"cpu.max": fmt.Sprintf("%d %d", quota, cgroupPeriodUS)}
		// The root's subtree must hand out the cpu controller (harmless if it does).
		_ = os.WriteFile("/sys/fs/cgroup/cgroup.subtree_control", []byte("+cpu"), 0)
	} else if _, err := os.Stat("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"); err == nil {
		g.dir = filepath.Join("/sys/fs/cgroup/cpu", name)
		g.files = map[string]string{"cpu.cfs_period_us": strconv.Itoa(cgroupPeriodUS), "cpu.cfs_quota_us": strconv.FormatInt(quota, 10)}
	} else {
		return nil, errors.New("no cgroup cpu controller found under /sys/fs/cgroup")
	}
	if err := os.Mkdir(g.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup (needs root): %w", err)
	}
	// cpu.cfs_period_us before cpu.cfs_quota_us: a quota above the old period is refused otherwise.
	for _, f := range []string{"cpu.max", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cgroup.procs"} {
		v, ok := g.files[f]
		if f == "cgroup.procs" {
			v, ok = strconv.Itoa(pid), true
		}
		if !ok {
			continue
		}
		if err := os.WriteFile(filepath.Join(g.dir, f), []byte(v), 0); err != nil {
			_ = os.Remove(g.dir)
			return nil, fmt.Errorf("cgroup %s: %w", f, err)
		}
	}
	return g, nil
}

// cgroup is one confined server's group.
type cgroup struct {
	dir   string
	files map[string]string
}

// throttled reads how many CFS periods the group used, and in how many it
// ran out of quota.
func (g *cgroup) throttled() (periods, throttled int64, err error) {
	b, err := os.ReadFile(filepath.Join(g.dir, "cpu.stat"))
	if err != nil {
		return 0, 0, fmt.Errorf("cgroup stat: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch k {
		case "nr_periods":
			periods = n
		case "nr_throttled":
			throttled = n
		}
	}
	return periods, throttled, nil
}

func (g *cgroup) remove() error {
	if err := os.Remove(g.dir); err != nil {
		return fmt.Errorf("remove cgroup: %w", err)
	}
	return nil
}
