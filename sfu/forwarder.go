package sfu

import "time"

// forwarder rewrites one publisher stream for one subscriber: sequence
// numbers and timestamps stay continuous across pauses (mute, gate) and
// simulcast layer switches, and video resumes only on a keyframe so a
// subscriber never sees a broken picture. It has no goroutines and does no
// I/O; its owner (the publisher's reader goroutine) calls it serially.
type forwarder struct {
	video     bool
	clockRate uint32

	started bool // a packet has been forwarded
	paused  bool // forward nothing (mute, media gate, not selected)
	resync  bool // next forwarded packet starts a new run
	layer   int  // layer being forwarded
	target  int  // layer wanted; a switch happens on its next keyframe

	seqOffset  uint16
	tsOffset   uint32
	firstInSeq uint16 // first input seq of the current run
	lastOutSeq uint16
	lastOutTS  uint32
	lastOutAt  time.Time
}

// fwdVerdict is the result of forwarder.forward.
type fwdVerdict struct {
	seq  uint16
	ts   uint32
	ok   bool // forward the packet with seq and ts
	pli  bool // a keyframe is needed before anything can be forwarded
	swap bool // this packet switched layers
}

// runWindow is how far behind a run's newest packet a late packet is
// still forwarded (its output slot is reserved by the run's offset).
const runWindow = 0x4000

func newForwarder(video bool, clockRate uint32) *forwarder {
	return &forwarder{video: video, clockRate: clockRate, resync: true}
}

// setPaused stops or resumes forwarding. Resuming starts a new run.
func (f *forwarder) setPaused(p bool) {
	if f.paused && !p {
		f.resync = true
	}
	f.paused = p
}

// setTarget selects the simulcast layer to switch to on its next keyframe.
func (f *forwarder) setTarget(layer int) { f.target = layer }

// forward decides the fate of one packet of the given layer.
func (f *forwarder) forward(layer int, seq uint16, ts uint32, keyframe bool, now time.Time) fwdVerdict {
	if f.paused {
		return fwdVerdict{}
	}
	if !f.started {
		f.layer = f.target // nothing sent yet: start on the wanted layer
	}
	if layer != f.layer {
		// Another layer: only the target's keyframe may take over, and the
		// current layer keeps flowing until then.
		if layer != f.target || !keyframe {
			return fwdVerdict{}
		}
		f.layer = layer
		f.resync = true
		return f.startRun(seq, ts, now, true)
	}
	if f.resync {
		if f.video && !keyframe {
			return fwdVerdict{pli: true}
		}
		return f.startRun(seq, ts, now, false)
	}
	if seqBefore(seq, f.firstInSeq) {
		return fwdVerdict{} // older than the run: its slot was never reserved
	}
	if seq-f.firstInSeq > runWindow {
		// The run's start trails its newest packet by at most runWindow:
		// otherwise, after half the sequence space (32,768 packets, a few
		// minutes of video), every new packet would look older than the run.
		f.firstInSeq = seq - runWindow
	}
	return f.emit(seq+f.seqOffset, ts+f.tsOffset, now, false)
}

// startRun maps the packet onto the output right after the last one sent,
// advanced by the wall time elapsed so the receiver's jitter buffer and lip
// sync see real time.
func (f *forwarder) startRun(seq uint16, ts uint32, now time.Time, swap bool) fwdVerdict {
	f.resync = false
	f.firstInSeq = seq
	if !f.started {
		f.seqOffset, f.tsOffset = 0, 0
		return f.emit(seq, ts, now, swap)
	}
	outSeq := f.lastOutSeq + 1
	gap := now.Sub(f.lastOutAt)
	step := uint32(gap.Seconds() * float64(f.clockRate))
	if step == 0 {
		step = 1
	}
	outTS := f.lastOutTS + step
	f.seqOffset = outSeq - seq
	f.tsOffset = outTS - ts
	return f.emit(outSeq, outTS, now, swap)
}

func (f *forwarder) emit(seq uint16, ts uint32, now time.Time, swap bool) fwdVerdict {
	if !f.started || seqBefore(f.lastOutSeq, seq) {
		f.lastOutSeq, f.lastOutTS, f.lastOutAt = seq, ts, now
	}
	f.started = true
	return fwdVerdict{seq: seq, ts: ts, ok: true, swap: swap}
}

// seqBefore reports whether a precedes b in RTP sequence space (RFC 3550
// wrap-around arithmetic).
func seqBefore(a, b uint16) bool { return a != b && b-a < 0x8000 }
