package dialin

import "encoding/binary"

// dtmfDigit maps an RFC 4733 event code to its key; other events (flash,
// tones) are not keys.
func dtmfDigit(event byte) (byte, bool) {
	switch {
	case event <= 9:
		return '0' + event, true
	case event == 10:
		return '*', true
	case event == 11:
		return '#', true
	}
	return 0, false
}

// dtmfReader turns RFC 4733 telephone-event packets into key presses. A
// sender repeats each event's packets (and its end packet three times)
// under one RTP timestamp, so a key is reported once per timestamp. Owned
// by the call's RTP reader goroutine.
type dtmfReader struct {
	last    uint32
	started bool
}

// read returns the key that a telephone-event payload starts, if any.
func (d *dtmfReader) read(ts uint32, payload []byte) (byte, bool) {
	if len(payload) < 4 {
		return 0, false
	}
	if d.started && ts == d.last {
		return 0, false
	}
	key, ok := dtmfDigit(payload[0])
	if !ok {
		return 0, false
	}
	_ = binary.BigEndian.Uint16(payload[2:4]) // duration: the key counts once, however long
	d.last, d.started = ts, true
	return key, true
}
