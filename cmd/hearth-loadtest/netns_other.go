//go:build !linux

package main

import (
	"errors"
	"net"
)

type serverNet struct {
	hostIP, srvIP net.IP
}

func newServerNet(_, _ []int) (*serverNet, error) {
	return nil, errors.New("-server-netns needs Linux")
}

func (*serverNet) path() string   { return "" }
func (*serverNet) String() string { return "" }
func (*serverNet) close() error   { return nil }

func (*serverNet) vethDrops() (uint64, error) { return 0, errors.New("no veth pair") }

func udpRcvbufErrors() (uint64, error) { return 0, errors.New("no /proc/net/snmp") }

type softnet struct{}

func readSoftnet() (map[int]softnet, error) { return nil, errors.New("no softnet_stat") }

func softnetText(_, _ map[int]softnet, _ []int) string { return "" }
