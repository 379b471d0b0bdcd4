//go:build !linux

package main

import (
	"errors"
	"os/exec"
)

func startPinned(*exec.Cmd, []int, string) ([]int, error) {
	return nil, errors.New("-server-cpus needs Linux")
}

func otherCPUs([]int) ([]int, error) {
	return nil, errors.New("-server-cpus needs Linux")
}
