package dialin

import "sync"

const (
	// prebuffer is how much of a speaker's audio waits before it is
	// mixed (and again after it ran dry): it absorbs network jitter.
	prebuffer = 2 * frameSamples
	// maxBuffered caps each speaker's queue (200 ms); older audio is
	// dropped so a burst never turns into lasting delay.
	maxBuffered = 10 * frameSamples
	// maxMixed caps the speakers summed in one frame; the SFU forwards
	// only audio that is not silent, so these are the active speakers.
	maxMixed = 6
)

// mixer sums the room's speakers for one caller. Each speaker's track
// goroutine pushes decoded audio; the call's RTP writer pulls 20 ms.
type mixer struct {
	mu      sync.Mutex // guards speakers and every speaker's fields
	speak   []*speaker
	scratch []int32
}

type speaker struct {
	buf     []int16
	playing bool // prebuffered and not yet run dry
}

func newMixer() *mixer { return &mixer{scratch: make([]int32, frameSamples)} }

func (m *mixer) add() *speaker {
	s := &speaker{}
	m.mu.Lock()
	m.speak = append(m.speak, s)
	m.mu.Unlock()
	return s
}

func (m *mixer) remove(s *speaker) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.speak {
		if x == s {
			m.speak = append(m.speak[:i], m.speak[i+1:]...)
			return
		}
	}
}

// push queues decoded 8 kHz audio from one speaker.
func (m *mixer) push(s *speaker, pcm []int16) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.buf = append(s.buf, pcm...)
	if over := len(s.buf) - maxBuffered; over > 0 {
		s.buf = append(s.buf[:0], s.buf[over:]...)
	}
}

// next mixes 20 ms of the speakers that have audio ready.
func (m *mixer) next(out []int16) {
	m.mu.Lock()
	defer m.mu.Unlock()
	acc := m.scratch[:len(out)]
	clear(acc)
	mixed := 0
	for _, s := range m.speak {
		if !s.playing && len(s.buf) >= prebuffer {
			s.playing = true
		}
		if !s.playing || mixed == maxMixed {
			continue
		}
		n := min(len(s.buf), len(out))
		for i := range n {
			acc[i] += int32(s.buf[i])
		}
		s.buf = append(s.buf[:0], s.buf[n:]...)
		if len(s.buf) == 0 {
			s.playing = false
		}
		mixed++
	}
	for i, v := range acc {
		out[i] = int16(max(-32768, min(32767, v)))
	}
}
