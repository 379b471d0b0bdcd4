package sfu

import (
	"strings"

	"github.com/pion/webrtc/v4"
)

// maxLayers is the number of simulcast layers a publisher may send.
const maxLayers = 3

// simulcastRIDs are the RTP stream ids of the layers, lowest first: a
// quarter, half and full resolution (as Chrome and most SFUs name them).
var simulcastRIDs = [maxLayers]string{"q", "h", "f"}

// nominalRate is what a layer is assumed to cost (bits/s) until it has
// been measured: Chrome's defaults for a 640x360 camera, roughly.
var nominalRate = [maxLayers]int64{150_000, 500_000, 1_500_000}

// layerOf maps a RID to its layer; a stream without RID is layer 0. An
// unknown RID is refused (false).
func layerOf(rid string) (int, bool) {
	if rid == "" {
		return 0, true
	}
	for i, r := range simulcastRIDs {
		if r == rid {
			return i, true
		}
	}
	return 0, false
}

// addSimulcastRecv adds the RFC 8853 simulcast receive attributes (rid q,
// h, f) to every video m-section the server receives on (recvonly), so an
// answering browser may send three layers there. Pion as offerer writes
// them only when answering; the answer's rids are then read by Pion.
func addSimulcastRecv(sdp string) string {
	eol := "\r\n"
	if !strings.Contains(sdp, eol) {
		eol = "\n"
	}
	lines := strings.Split(sdp, eol)
	out := make([]string, 0, len(lines)+8)
	video, recv, done := false, false, false
	flush := func() {
		if video && recv && !done {
			for _, r := range simulcastRIDs {
				out = append(out, "a=rid:"+r+" recv")
			}
			out = append(out, "a=simulcast:recv "+strings.Join(simulcastRIDs[:], ";"))
		}
	}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "m="):
			flush()
			video, recv, done = strings.HasPrefix(l, "m=video "), false, false
		case l == "a=recvonly":
			recv = true
		case strings.HasPrefix(l, "a=simulcast:"):
			done = true
		case l == "":
			continue // the trailing end of line is restored below
		}
		out = append(out, l)
	}
	flush()
	return strings.Join(out, eol) + eol
}

// trackDeps hands a new track what it needs of this peer, its room and
// the server.
func (p *Peer) trackDeps() trackDeps {
	return trackDeps{
		gate: p.gate, sent: &p.forwarded,
		pli:       p.sendPLI,
		speaking:  func(on bool) { p.room.speakerChanged(p, on) },
		unpublish: p.room.unpublish,
		log:       p.log,
	}
}

// onTrack starts forwarding a track the client publishes. A simulcast
// layer after the first joins the upTrack of its receiver. Pion goroutine.
func (p *Peer) onTrack(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	layer, ok := layerOf(remote.RID())
	if !ok {
		p.log.Debug("unknown simulcast rid ignored")
		return
	}
	p.simMu.Lock()
	up, old := p.simUps[recv]
	if !old || remote.RID() == "" || up.ssrc[layer].Load() != 0 {
		up, old = newUpTrack(p, p.trackDeps(), remote, recv), false
		if remote.RID() != "" {
			p.simUps[recv] = up
		}
	}
	up.startLayer(layer, remote)
	p.simMu.Unlock()
	if !p.startGoroutine(func() { up.read(layer, remote) }) {
		return
	}
	if old {
		return
	}
	for _, sub := range p.room.publish(up) {
		sub.do(func() { sub.addDown(up) })
	}
}
