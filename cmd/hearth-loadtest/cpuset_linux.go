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
// elsewhere) and its Go runtime sizes GOMAXPROCS from it.
func startPinned(cmd *exec.Cmd, server []int) (clients []int, err error) {
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
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.SchedSetaffinity(0, &srv); err != nil {
		return nil, fmt.Errorf("pin server: %w", err)
	}
	if err := cmd.Start(); err != nil {
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
