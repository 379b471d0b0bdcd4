package bwe

import "time"

// The sent-packet history is a ring of one word a slot, indexed by the
// extended transport-wide sequence number, so that Sent publishes a packet
// with a single atomic store and Feedback finds it in O(1) without a map.
// A slot packs:
//
//	bits 63-48  tag: bits 12-27 of the extended sequence number (which lap of the ring)
//	bit  47     a feedback has reported the packet received
//	bit  46     a feedback has reported the packet lost
//	bits 45-35  size in bytes, 1 to 2047 (larger sizes are clamped)
//	bits 34-0   departure in µs since the first packet, modulo 2^35 (about 9.5 hours)
//
// A zero word is a slot never written (sizes are at least 1).
const (
	ringBits = 12
	ringSize = 1 << ringBits // 4,096 packets: about 2 s at 2,000 packets/s
	ringMask = ringSize - 1

	depBits   = 35
	depMask   = 1<<depBits - 1
	sizeShift = depBits
	sizeMask  = 1<<11 - 1
	lostBit   = uint64(1) << 46
	rcvdBit   = uint64(1) << 47
	tagShift  = 48

	// anchorBits: Sent republishes its extended sequence number each time it
	// enters a new block of 2^anchorBits, so that the published anchor is
	// always within 2^anchorBits of every packet in the ring's last lap.
	anchorBits = 10
	// firstExt is the extended number of the first packet's sequence number
	// 0, so that extended numbers stay positive and 0 means "none yet".
	firstExt = 1 << 20
)

// writer is the state of the one goroutine that calls Sent.
type writer struct {
	started bool
	last    uint16 // the last sequence number sent
	ext     int64  // its extended value
	block   int64  // ext >> anchorBits when the anchor was last published
}

// slotWord packs one sent packet.
func slotWord(ext int64, size int, dep time.Duration) uint64 {
	size = min(max(size, 1), sizeMask)
	us := max(dep.Microseconds(), 0)
	return tagOf(ext)<<tagShift | uint64(size)<<sizeShift | uint64(us)&depMask
}

// tagOf is the lap of ext, as stored in a slot.
func tagOf(ext int64) uint64 { return uint64(ext>>ringBits) & 0xffff }

// slotHolds reports whether word is packet ext's slot.
func slotHolds(word uint64, ext int64) bool { return word != 0 && word>>tagShift == tagOf(ext) }

// slotSize is the packet's size in bytes.
func slotSize(word uint64) int64 { return int64(word>>sizeShift) & sizeMask }

// slotDeparture is the packet's departure in µs since the first packet,
// the latest such time not after nowUs.
func slotDeparture(word uint64, nowUs int64) int64 {
	return nowUs - (nowUs-int64(word&depMask))&depMask
}

// unwrapNear extends a 16-bit sequence number to the extended number
// nearest anchor.
func unwrapNear(anchor int64, seq uint16) int64 {
	return anchor + int64(int16(seq-uint16(anchor)))
}
