package dialin

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// maxSDP bounds the offer the gateway parses.
const maxSDP = 8 << 10

var errNoAudio = errors.New("dialin: no usable audio in the offer")

// offer is what the gateway takes from a caller's SDP.
type offer struct {
	addr    *net.UDPAddr // where the caller receives RTP
	codec   codec
	dtmfPT  uint8 // telephone-event payload type; 0: none offered
	hasDTMF bool
}

// parseOffer picks PCMU (else PCMA) and telephone-event/8000 from the
// first audio m-line that has a port.
func parseOffer(body []byte) (offer, error) {
	if len(body) == 0 || len(body) > maxSDP {
		return offer{}, fmt.Errorf("dialin: offer of %d bytes", len(body))
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(body)); err != nil {
		return offer{}, fmt.Errorf("dialin: parse offer: %w", err)
	}
	for _, m := range sd.MediaDescriptions {
		if m.MediaName.Media != "audio" || m.MediaName.Port.Value == 0 {
			continue
		}
		o, err := audioOffer(&sd, m)
		if err == nil {
			return o, nil
		}
	}
	return offer{}, errNoAudio
}

func audioOffer(sd *sdp.SessionDescription, m *sdp.MediaDescription) (offer, error) {
	conn := sd.ConnectionInformation
	if m.ConnectionInformation != nil {
		conn = m.ConnectionInformation
	}
	if conn == nil || conn.Address == nil {
		return offer{}, errNoAudio
	}
	ip := net.ParseIP(conn.Address.Address)
	if ip == nil {
		return offer{}, errNoAudio
	}
	var o offer
	o.addr = &net.UDPAddr{IP: ip, Port: m.MediaName.Port.Value}
	var haveU, haveA bool
	for _, f := range m.MediaName.Formats {
		switch f {
		case "0":
			haveU = true
		case "8":
			haveA = true
		}
	}
	switch {
	case haveU:
		o.codec = pcmu
	case haveA:
		o.codec = pcma
	default:
		return offer{}, errNoAudio
	}
	for _, a := range m.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		pt, enc, ok := strings.Cut(a.Value, " ")
		if ok && strings.EqualFold(enc, "telephone-event/8000") {
			if n, err := strconv.ParseUint(pt, 10, 7); err == nil {
				o.dtmfPT, o.hasDTMF = uint8(n), true
			}
		}
	}
	return o, nil
}

// answerSDP is the gateway's answer: one audio stream at ip:port in the
// chosen law, with telephone-event when the caller offered it.
func answerSDP(ip net.IP, port int, o offer, sessID uint64) []byte {
	fam := "IP4"
	if ip.To4() == nil {
		fam = "IP6"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=hearth %d %d IN %s %s\r\ns=Hearth\r\nc=IN %s %s\r\nt=0 0\r\n", sessID, sessID, fam, ip, fam, ip)
	pts := strconv.Itoa(int(o.codec.pt))
	if o.hasDTMF {
		pts += " " + strconv.Itoa(int(o.dtmfPT))
	}
	fmt.Fprintf(&b, "m=audio %d RTP/AVP %s\r\na=rtpmap:%d %s/8000\r\n", port, pts, o.codec.pt, o.codec.name)
	if o.hasDTMF {
		fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-15\r\n", o.dtmfPT, o.dtmfPT)
	}
	b.WriteString("a=ptime:20\r\na=sendrecv\r\n")
	return []byte(b.String())
}
