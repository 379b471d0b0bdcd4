package dialin

// G.711 (ITU-T G.711) companding, the only audio every telephone trunk
// carries. The tables are computed once per gateway, not held in package
// state.

// ulawDecode expands one mu-law byte to a 16-bit linear sample.
func ulawDecode(u byte) int16 {
	u = ^u
	t := (int32(u&0x0f) << 3) + 0x84
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// ulawEncode compresses one linear sample to mu-law.
func ulawEncode(s int16) byte {
	const bias, clip = 0x84, 32635
	x := int32(s)
	sign := byte(0)
	if x < 0 {
		x, sign = -x, 0x80
	}
	if x > clip {
		x = clip
	}
	x += bias
	exp := byte(7)
	for mask := int32(0x4000); x&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := byte(x>>(exp+3)) & 0x0f
	return ^(sign | exp<<4 | mant)
}

// alawDecode expands one A-law byte to a 16-bit linear sample.
func alawDecode(a byte) int16 {
	a ^= 0x55
	t := int32(a&0x0f) << 4
	seg := (a & 0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// alawEncode compresses one linear sample to A-law.
func alawEncode(s int16) byte {
	x := int32(s)
	mask := byte(0xd5)
	if x < 0 {
		mask = 0x55
		x = -x - 1
	}
	if x > 32767 {
		x = 32767
	}
	var out byte
	if x < 256 {
		out = byte(x >> 4)
	} else {
		seg := byte(1)
		for v := x >> 8; v > 1; v >>= 1 {
			seg++
		}
		out = seg<<4 | byte(x>>(seg+3))&0x0f
	}
	return out ^ mask
}

// codec is one G.711 law, with its RTP payload type.
type codec struct {
	name   string
	pt     uint8
	decode func(byte) int16
	encode func(int16) byte
}

var (
	pcmu = codec{"PCMU", 0, ulawDecode, ulawEncode}
	pcma = codec{"PCMA", 8, alawDecode, alawEncode}
)
