package audio

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// The deck's samples reach the device pipe as float32 little-endian bytes,
// without a copy where the machine allows it, and come out of it as the
// same samples: the bytes must be exactly those the sample-by-sample
// encoding gives.
func TestSamplesCrossTheDevicePipeAsLittleEndianFloats(t *testing.T) {
	samples := []float32{0, 1, -1, 0.5, -0.25, float32(math.Inf(1)), 1e-30, -3.75}
	want := make([]byte, len(samples)*4)
	for i, v := range samples {
		binary.LittleEndian.PutUint32(want[i*4:], math.Float32bits(v))
	}
	got := sampleBytes(samples, make([]byte, len(samples)*4))
	if string(got) != string(want) {
		t.Fatalf("sampleBytes = % x, want % x", got, want)
	}
	if len(sampleBytes(nil, nil)) != 0 {
		t.Fatal("no samples must give no bytes")
	}
	back := make([]float32, len(samples))
	if err := readSamples(bytes.NewReader(want), back); err != nil {
		t.Fatal(err)
	}
	for i := range samples {
		if math.Float32bits(back[i]) != math.Float32bits(samples[i]) {
			t.Fatalf("sample %d came back as %v, want %v", i, back[i], samples[i])
		}
	}
}

// The silence watch compares magnitudes as bits: it must count exactly the
// frames whose two samples are both strictly between −level and +level.
func TestSilenceWatchAgreesWithTheComparison(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() float32 {
		switch rng.IntN(6) {
		case 0:
			return silenceLevel
		case 1:
			return -silenceLevel
		case 2:
			return float32(math.NaN())
		case 3:
			return (rng.Float32()*2 - 1) * silenceLevel
		}
		return (rng.Float32()*2 - 1) * 4 * silenceLevel
	}
	frames := make([]float32, 2*20000)
	for i := range frames {
		frames[i] = pick()
	}
	// A long quiet stretch, so that the longest run is not trivial.
	for i := 2 * 5000; i < 2*5300; i++ {
		frames[i] = silenceLevel / 2
	}
	// …broken by samples exactly at the level, which are not silent.
	frames[2*5150], frames[2*5200+1] = silenceLevel, -silenceLevel
	var want, run int64
	for i := 0; i < len(frames); i += 2 {
		l, r := frames[i], frames[i+1]
		if l < silenceLevel && l > -silenceLevel && r < silenceLevel && r > -silenceLevel {
			run++
			want = max(want, run)
		} else {
			run = 0
		}
	}
	c := &Cue{}
	// In uneven pieces, as the deck pulls them.
	for at := 0; at < len(frames); {
		n := min(2*(1+rng.IntN(700)), len(frames)-at)
		c.watchSilence(frames[at : at+n])
		at += n
	}
	if c.LongestSilence != want || want < 100 {
		t.Fatalf("longest silence %d frames, want %d (≥ 100)", c.LongestSilence, want)
	}
}
