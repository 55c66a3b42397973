package audio

import "math"

// TruePeakCeilingDBTP is the highest true peak normalisation lets through.
const TruePeakCeilingDBTP = -1.0

// maxGainDB bounds normalisation either way, so that a near-silent file is
// not blown up into hiss.
const maxGainDB = 24.0

// NormalizeGain is the gain in dB that brings a segment measured at lufs
// (integrated loudness) and truePeak (dBTP), with the given channel count,
// to target LUFS as played in stereo, without its true peak passing
// TruePeakCeilingDBTP. A mono file plays on both channels, which reads
// 3.01 LU louder than the file itself. A file whose loudness cannot be
// measured (−Inf: silence, or under the 0.4 s of one gating block, as a
// short jingle) is not raised, but its true peak alone still holds it
// under the ceiling: the ceiling holds for every file.
func NormalizeGain(lufs, truePeak float64, channels int, target float64) float64 {
	gain := 0.0
	if !math.IsInf(lufs, 0) && !math.IsNaN(lufs) {
		played := lufs
		if channels == 1 {
			played += 10 * math.Log10(2)
		}
		gain = target - played
	}
	if !math.IsInf(truePeak, 0) && !math.IsNaN(truePeak) && truePeak+gain > TruePeakCeilingDBTP {
		gain = TruePeakCeilingDBTP - truePeak
	}
	return math.Max(-maxGainDB, math.Min(maxGainDB, gain))
}

// NewGain scales src by gainDB.
func NewGain(src Streamer, gainDB float64) Streamer {
	if gainDB == 0 {
		return src
	}
	g := float32(math.Pow(10, gainDB/20))
	return StreamerFunc(func(dst []float32) (int, error) {
		n, err := src.Stream(dst)
		for i := range dst[:n*Channels] {
			dst[i] *= g
		}
		return n, err
	})
}
