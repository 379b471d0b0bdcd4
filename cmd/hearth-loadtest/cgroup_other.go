//go:build !linux

package main

import "errors"

type cgroup struct{}

func confine(int, float64) (*cgroup, error) {
	return nil, errors.New("-server-cores needs Linux cgroups")
}

func (*cgroup) throttled() (int64, int64, error) { return 0, 0, errors.New("no cgroup") }
func (*cgroup) remove() error                    { return nil }

const cgroupPeriodUS = 10000
