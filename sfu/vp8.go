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

// isVP9Keyframe reports whether an RTP payload starts a VP9 keyframe
// (draft-ietf-payload-vp9: P=0 is an intra-only/key picture, B=1 the
// start of a frame).
func isVP9Keyframe(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	b := payload[0]
	return b&0x40 == 0 && b&0x08 != 0
}

// isH264Keyframe reports whether an RTP payload carries the start of an
// IDR picture or its parameter sets (RFC 6184: single NAL unit, STAP-A, or
// the first FU-A fragment).
func isH264Keyframe(payload []byte) bool {
	if len(payload) < 1 {
		return false
	}
	switch nal := payload[0] & 0x1f; nal {
	case 5, 7: // IDR slice, SPS
		return true
	case 24: // STAP-A: 16-bit sizes then NAL units
		for i := 1; i+2 < len(payload); {
			size := int(payload[i])<<8 | int(payload[i+1])
			if t := payload[i+2] & 0x1f; t == 5 || t == 7 {
				return true
			}
			i += 2 + size
		}
	case 28: // FU-A: start bit and the fragmented NAL's type
		return len(payload) > 1 && payload[1]&0x80 != 0 && payload[1]&0x1f == 5
	}
	return false
}
