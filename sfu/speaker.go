package sfu

import (
	"slices"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// MsgSpeakers tells clients who started or stopped speaking.
const MsgSpeakers = "speakers"

type speakersMsg struct {
	Type string   `json:"type"`
	On   []string `json:"on,omitempty"`
	Off  []string `json:"off,omitempty"`
}

// Active-speaker detection from the RFC 6464 audio level (0 = loudest,
// 127 = silence, in -dBov). Loudness is 127-level, smoothed per packet;
// hysteresis and a minimum hold keep the indicator from flickering.
const (
	speakOn      = 50.0 // smoothed loudness that starts speaking
	speakOff     = 30.0 // below this for speakHold, speaking stops
	speakHold    = 1 * time.Second
	loudPacket   = 40              // loudness of one packet counted as voice
	quietForward = 2 * time.Second // audio silent this long is not forwarded
	smoothing    = 0.15            // weight of each packet in the average
	noLevel      = ^uint32(0)      // the publisher negotiated no audio level
)

// speakerState is owned by an audio upTrack's reader goroutine.
type speakerState struct {
	loudness float64
	speaking bool
	lastLoud time.Time // last packet above loudPacket
	lastHigh time.Time // last time the average was above speakOff
}

// update folds one packet's level in and reports a change of speaking.
func (s *speakerState) update(level uint8, now time.Time) bool {
	if s.lastLoud.IsZero() {
		s.lastLoud = now // a new track gets the same grace as a pause
	}
	loud := float64(127 - min(level, 127))
	s.loudness += (loud - s.loudness) * smoothing
	if loud >= loudPacket {
		s.lastLoud = now
	}
	if s.loudness >= speakOff {
		s.lastHigh = now
	}
	switch {
	case !s.speaking && s.loudness >= speakOn:
		s.speaking = true
		return true
	case s.speaking && now.Sub(s.lastHigh) > speakHold:
		s.speaking = false
		return true
	}
	return false
}

// quiet reports whether the audio has been silent long enough that
// forwarding it is wasted.
func (s *speakerState) quiet(now time.Time) bool {
	return !s.speaking && now.Sub(s.lastLoud) > quietForward
}

// observeAudio reads the audio level of one packet. It returns true when
// the packet should not be forwarded because the publisher is silent.
// Reader goroutine only.
func (t *upTrack) observeAudio(pkt *rtp.Packet, now time.Time) bool {
	id := t.levelExt.Load()
	if id == noLevel {
		return false
	}
	ext := pkt.GetExtension(uint8(id))
	if len(ext) == 0 {
		return false
	}
	if t.spk.update(ext[0]&0x7f, now) {
		if t.spk.speaking {
			t.spokeAt.Store(now.UnixNano())
		}
		t.deps.speaking(t.spk.speaking)
	}
	return t.spk.quiet(now)
}

// audioLevelID is the id the publisher negotiated for the audio-level
// extension on this receiver, or noLevel.
func audioLevelID(recv *webrtc.RTPReceiver) uint32 {
	if recv == nil {
		return noLevel
	}
	for _, h := range recv.GetParameters().HeaderExtensions {
		if h.URI == audioLevelURI {
			return uint32(h.ID)
		}
	}
	return noLevel
}

// speakerChanged tells everyone and re-ranks the video each one receives.
func (r *Room) speakerChanged(p *Peer, speaking bool) {
	msg := speakersMsg{Type: MsgSpeakers}
	if speaking {
		msg.On = []string{p.id}
	} else {
		msg.Off = []string{p.id}
	}
	r.Broadcast(msg, "")
	if speaking {
		for _, sub := range r.Peers() {
			sub.do(sub.selectVideo)
		}
	}
}

// lastSpoke returns when each publisher last started speaking (unix nanos).
func (r *Room) lastSpoke() map[*Peer]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[*Peer]int64{}
	for t := range r.tracks {
		if !t.video {
			out[t.pub] = max(out[t.pub], t.spokeAt.Load())
		}
	}
	return out
}

// selectVideo lets through the video of the MaxVideoStreams most recent
// speakers (pinned ones first) and pauses the rest; a member who asked for
// the speaker only gets one, the most recent speaker's, and one who asked
// for none gets none. Actor loop only.
func (p *Peer) selectVideo() {
	if p.room == nil {
		return
	}
	var videos []*downTrack
	for _, dt := range p.downs {
		if dt.up.video {
			videos = append(videos, dt)
		}
	}
	limit, pinned := p.srv.cfg.MaxVideoStreams, p.pinned
	switch p.receive {
	case receiveSpeaker:
		limit, pinned = 1, nil
	case receiveNone:
		limit = 0
	}
	if len(videos) <= limit {
		for _, dt := range videos {
			dt.paused.Store(false)
		}
		return
	}
	spoke := p.room.lastSpoke()
	slices.SortStableFunc(videos, func(a, b *downTrack) int {
		pa, pb := slices.Contains(pinned, a.up.pub.id), slices.Contains(pinned, b.up.pub.id)
		if pa != pb {
			if pa {
				return -1
			}
			return 1
		}
		sa, sb := spoke[a.up.pub], spoke[b.up.pub]
		switch {
		case sa != sb && sa > sb:
			return -1
		case sa != sb:
			return 1
		}
		return a.up.created.Compare(b.up.created)
	})
	for i, dt := range videos {
		dt.paused.Store(i >= limit)
	}
}
