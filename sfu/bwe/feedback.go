package bwe

import (
	"math"

	"github.com/pion/rtcp"
)

// statuses walks a TWCC feedback's packet statuses in sequence order, no
// further than its PacketStatusCount (a last status vector may carry
// padding symbols beyond it).
type statuses struct {
	fb      *rtcp.TransportLayerCC
	chunk   int // index in fb.PacketChunks
	inChunk int // statuses taken from that chunk
	n       int // statuses taken in all
	bad     bool
}

// next returns the next status symbol, ok false at the end or on a chunk
// that is not one of rtcp's two kinds (then bad is set).
func (s *statuses) next() (symbol uint16, ok bool) {
	for s.n < int(s.fb.PacketStatusCount) && s.chunk < len(s.fb.PacketChunks) {
		switch c := s.fb.PacketChunks[s.chunk].(type) {
		case *rtcp.RunLengthChunk:
			if c == nil {
				s.bad = true
				return 0, false
			}
			if s.inChunk < int(c.RunLength) {
				symbol = c.PacketStatusSymbol
				ok = true
			}
		case *rtcp.StatusVectorChunk:
			if c == nil {
				s.bad = true
				return 0, false
			}
			if s.inChunk < len(c.SymbolList) {
				symbol = c.SymbolList[s.inChunk]
				ok = true
			}
		default:
			s.bad = true
			return 0, false
		}
		if ok {
			s.inChunk++
			s.n++
			return symbol, true
		}
		s.chunk, s.inChunk = s.chunk+1, 0
	}
	return 0, false
}

// timed reports whether a status carries a receive delta.
func timed(symbol uint16) bool {
	return symbol == rtcp.TypeTCCPacketReceivedSmallDelta || symbol == rtcp.TypeTCCPacketReceivedLargeDelta
}

// checkFeedback validates fb before anything is changed: its chunks cover
// exactly PacketStatusCount statuses, every status with a delta has one,
// and every symbol is known. It returns the latest arrival among the
// packets, in µs after the reference time.
func checkFeedback(fb *rtcp.TransportLayerCC) (latest int64, ok bool) {
	if fb.PacketStatusCount > ringSize {
		// More than the history holds: no real client reports that
		// many at once, and walking up to 65,535 statuses a report
		// would let a client spend the server's CPU cheaply.
		return 0, false
	}
	s := statuses{fb: fb}
	deltas := 0
	arr := int64(0)
	latest = math.MinInt64
	for {
		sym, more := s.next()
		if !more {
			break
		}
		if sym > rtcp.TypeTCCPacketReceivedWithoutDelta {
			return 0, false
		}
		if !timed(sym) {
			continue
		}
		if deltas >= len(fb.RecvDeltas) || fb.RecvDeltas[deltas] == nil {
			return 0, false
		}
		arr += fb.RecvDeltas[deltas].Delta
		latest = max(latest, arr)
		deltas++
	}
	return latest, !s.bad && s.n == int(fb.PacketStatusCount) && s.n > 0
}
