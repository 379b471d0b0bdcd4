// Package bwe is Hearth's send-side bandwidth estimator: Google congestion
// control (draft-ietf-rmcat-gcc-02) from a subscriber's transport-wide
// congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
// extensions-01), for one subscriber connection. The estimate only chooses
// simulcast layers: the server neither paces nor probes.
//
// # Why Hearth has its own
//
// Pion's gcc.SendSideBWE behind cc.NewInterceptor cost about 13% of the
// server's CPU per forwarded packet: an interceptor.Attributes map per
// packet, a mutex, a map insert and a container/list element per packet in
// its feedback history, and RTCP copied and parsed again. Its history holds
// only 250 packets, so a subscriber receiving 2,000 packets/s gets feedback
// for packets already evicted; none of it is configurable. Here Sent is
// one atomic store into a ring of 4,096 one-word slots indexed by the
// sequence number (no allocation, no lock, no map: about 27 ns against
// Pion's 900 ns and 4 allocations, see the benchmarks), and Feedback walks
// the parsed feedback once, without allocating.
//
// # Algorithm
//
// Feedback gives each packet's arrival (reference time plus deltas).
// Packets sent within 5 ms of a group's first, or arriving in a burst
// right behind it, form a group; the delay variation between consecutive
// groups feeds a trendline filter (20 groups, smoothing 0.9, gain 4) whose
// slope an over-use detector compares with an adaptive threshold (12.5 ms
// at first, k_up 0.0087, k_down 0.039). The rate controller (increase,
// hold, decrease) grows the rate by 8% a second, or additively (about a
// packet per 100 ms + RTT) while the acknowledged rate is near the one of
// earlier over-uses; on over-use it sets 0.85 times the acknowledged rate
// (bytes reported received over the last 512 ms of arrivals). A
// loss-based rate shrinks by half the loss above 10% loss and grows 5%
// below 2%. The estimate is the lower of the two, within Config's bounds.
//
// # Where it differs from Pion's gcc (interceptor v0.1.48)
//
// It keeps Pion's rate controller where Hearth depends on it: the 8%/s
// increase is capped at 1.5 times the acknowledged rate only as it crosses
// that rate, so the estimate goes on growing while a subscriber sits on a
// low layer, and a probe one layer up (sfu/layers.go) can succeed once a
// limit is lifted. It differs where libwebrtc is better or Pion is wrong:
//
//   - delay: libwebrtc's trendline filter and threshold constants, not
//     Pion's Kalman filter (k_up 0.01, k_down 0.00018); thresholds and
//     over-use time run on the packets' own times, not on when feedback
//     happened to be processed;
//   - groups end at their last packet's send time, and an arrival burst
//     spans at most 100 ms (libwebrtc);
//   - a decrease never raises the rate, an increase never lowers it, and
//     the additive increase is libwebrtc's per-second rate (Pion adds at
//     least 1,000 bits per group and may cut to 1.5 times the
//     acknowledged rate); leaving hold restarts the increase clock;
//   - feedback: every received status consumes its delta whether or not
//     the packet is known (Pion skips the deltas of packets it evicted and
//     misreads the arrivals after them, and counts unknown packets as
//     lost); statuses past PacketStatusCount are padding; malformed
//     feedback is refused whole; a packet reported twice counts once;
//     the 24-bit reference time is unwrapped;
//   - the loss-based rate uses Config's bounds (Pion's: 100 kbit/s to
//     100 Mbit/s) and counts only packets it sent.
//
// All times come from the callers (Sent's and Feedback's at, the
// feedback's arrival times): the package never reads the clock.
package bwe
