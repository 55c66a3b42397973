package audio

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// littleEndian is whether float32s in memory are laid out as the device
// pipe carries them (little-endian).
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// sampleBytes is samples as float32 little-endian bytes: the samples' own
// memory on a little-endian machine, else written into raw (which must
// hold them).
func sampleBytes(samples []float32, raw []byte) []byte {
	if len(samples) == 0 {
		return raw[:0]
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(&samples[0])), len(samples)*4)
	}
	out := raw[:len(samples)*4]
	for i, v := range samples {
		binary.LittleEndian.PutUint32(out[i*4:], math.Float32bits(v))
	}
	return out
}
