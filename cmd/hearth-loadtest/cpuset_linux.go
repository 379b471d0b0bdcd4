package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// startPinned starts cmd with its CPU affinity set to server, then pins
// this process (the load generator) to the CPUs it may use other than
// those, and returns them. The child is started from a thread pinned to
// server, so it inherits the mask before it runs (no thread of it ever runs
// elsewhere) and its Go runtime sizes GOMAXPROCS from it. With netns (a
// path under /run/netns), that thread also enters that network namespace
// to start cmd, so the child is born in it.
func startPinned(cmd *exec.Cmd, server []int, netns string) (clients []int, err error) {
	clients, err = otherCPUs(server)
	if err != nil {
		return nil, err
	}
	var srv unix.CPUSet
	for _, c := range server {
		srv.Set(c)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.SchedSetaffinity(0, &srv); err != nil {
		return nil, fmt.Errorf("pin server: %w", err)
	}
	start := cmd.Start
	if netns != "" {
		start = func() error { return withNetns(netns, cmd.Start) }
	}
	if err := start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	var cl unix.CPUSet
	for _, c := range clients {
		cl.Set(c)
	}
	// This thread included: it goes back to the clients' CPUs.
	if err := pinProcess(os.Getpid(), &cl); err != nil {
		return nil, err
	}
	runtime.GOMAXPROCS(len(clients))
	return clients, nil
}

// otherCPUs checks that this process may use the server's CPUs and
// returns the others it may use: the load generator's.
func otherCPUs(server []int) (clients []int, err error) {
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil {
		return nil, fmt.Errorf("read CPU affinity: %w", err)
	}
	var srv unix.CPUSet
	for _, c := range server {
		if !own.IsSet(c) {
			return nil, fmt.Errorf("-server-cpus: CPU %d is not one this process may use", c)
		}
		srv.Set(c)
	}
	for c := 0; c < len(own)*64; c++ {
		if own.IsSet(c) && !srv.IsSet(c) {
			clients = append(clients, c)
		}
	}
	if len(clients) == 0 {
		return nil, errors.New("-server-cpus leaves no CPU for the load generator")
	}
	return clients, nil
}

// pinProcess sets the affinity of every thread of process pid. A thread
// inherits its creator's mask, so once a pass over the process's threads
// finds none left to pin, every later thread is born pinned.
func pinProcess(pid int, set *unix.CPUSet) error {
	pinned := map[int]bool{}
	for range 20 {
		dir := fmt.Sprintf("/proc/%d/task", pid)
		ents, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("list threads: %w", err)
		}
		fresh := 0
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || pinned[tid] {
				continue
			}
			if err := unix.SchedSetaffinity(tid, set); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("pin thread %d: %w", tid, err)
			}
			pinned[tid] = true
			fresh++
		}
		if fresh == 0 {
			return nil
		}
	}
	return errors.New("pin: threads kept appearing")
}
