package sfu

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// BenchmarkForwarderSimulcast is one subscriber's forwarder fed three
// layers, switching target every 300 packets.
func BenchmarkForwarderSimulcast(b *testing.B) {
	f := newForwarder(true, 90000)
	now := time.Unix(0, 0)
	var seq [maxLayers]uint16
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		layer := i % maxLayers
		seq[layer]++
		if i%300 == 0 {
			f.setTarget((i / 300) % maxLayers)
		}
		f.forward(layer, seq[layer], uint32(i/9)*3000, i%90 < 3, now)
		now = now.Add(time.Millisecond)
	}
}

func BenchmarkChooseLayers(b *testing.B) {
	wants := make([]layerWant, 25)
	for i := range wants {
		wants[i] = layerWant{max: i % maxLayers, cur: 1, rates: sim3}
	}
	b.ReportAllocs()
	for b.Loop() {
		chooseLayers(4_000_000, wants)
	}
}

// BenchmarkSetExtensions is the audio-level rewrite of one packet.
func BenchmarkSetExtensions(b *testing.B) {
	up := &upTrack{}
	up.levelExt.Store(1)
	dt := &downTrack{up: up}
	dt.levelID.Store(5)
	in := &rtp.Packet{Header: rtp.Header{Version: 2}}
	if err := in.SetExtension(1, []byte{20}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var out sentHeader
		out.Extensions = out.exts[:0]
		dt.setExtensions(in, &out.Header)
		if len(out.Extensions) != 1 {
			b.Fatal("no extension")
		}
	}
}
