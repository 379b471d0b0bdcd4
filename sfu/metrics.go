package sfu

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus series; they exist even when no
// Registerer is configured so the code paths never check for nil.
type metrics struct {
	rooms        prometheus.Gauge
	participants prometheus.Gauge
	forwarded    *prometheus.CounterVec // by kind
	dropped      *prometheus.CounterVec // by reason: "queue" (mediaqueue.go), "tcp" (tcpconn.go)
	slowClients  prometheus.Counter
	closedByRate prometheus.Counter
	secrets      *prometheus.CounterVec // by outcome: right, wrong, limited, busy
	node         nodeMetrics            // leases and placement (nodes.go)
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		rooms: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hearth_sfu_rooms", Help: "Rooms with at least one participant.",
		}),
		participants: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hearth_sfu_participants", Help: "Connected participants.",
		}),
		forwarded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_sfu_forwarded_packets_total", Help: "RTP packets forwarded to subscribers.",
		}, []string{"kind"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_sfu_dropped_packets_total",
			Help: "Packets dropped for subscribers that could not take them: their send queue (queue) or ICE-TCP connection (tcp) was full.",
		}, []string{"reason"}),
		slowClients: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hearth_sfu_slow_clients_total", Help: "Clients disconnected because their send queue filled.",
		}),
		closedByRate: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hearth_sfu_rate_limited_total", Help: "Clients disconnected for exceeding the message rate.",
		}),
		secrets: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hearth_sfu_secret_attempts_total",
			Help: "Passcode and host-key attempts: right, wrong, limited (the client's limiter refused) or busy (verify queue full).",
		}, []string{"outcome"}),
		node: newNodeMetrics(),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range m.collectors() {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("sfu: register metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) collectors() []prometheus.Collector {
	return append([]prometheus.Collector{m.rooms, m.participants, m.forwarded, m.dropped, m.slowClients, m.closedByRate, m.secrets},
		m.node.collectors()...)
}

// unregister undoes newMetrics' registration, for a server that failed to
// start (its Registerer may be used again).
func (m *metrics) unregister(reg prometheus.Registerer) {
	if reg == nil {
		return
	}
	for _, c := range m.collectors() {
		reg.Unregister(c)
	}
}
