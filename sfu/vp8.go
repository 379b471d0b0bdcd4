package sfu

// isVP8Keyframe reports whether an RTP payload starts a VP8 keyframe
// (RFC 7741 section 4: payload descriptor, then the VP8 frame header whose
// first bit is 0 for a key frame).
func isVP8Keyframe(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	b := payload[0]
	start, pid := b&0x10 != 0, b&0x07
	if !start || pid != 0 {
		return false
	}
	i := 1
	if b&0x80 != 0 { // X: extension byte
		if len(payload) <= i {
			return false
		}
		x := payload[i]
		i++
		if x&0x80 != 0 { // I: picture ID, 7 or 15 bits
			if len(payload) <= i {
				return false
			}
			if payload[i]&0x80 != 0 {
				i++
			}
			i++
		}
		if x&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if x&0x30 != 0 { // T or K: TID/Y/KEYIDX
			i++
		}
	}
	if len(payload) <= i {
		return false
	}
	return payload[i]&0x01 == 0
}
