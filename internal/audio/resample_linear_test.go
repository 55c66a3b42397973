package audio

import (
	"io"
	"testing"
)

func TestLinearResamplerLengthAndValues(t *testing.T) {
	for _, c := range []struct{ from, to, in int }{{16000, 48000, 16000}, {22050, 48000, 22050}, {48000, 44100, 48000}, {44100, 48000, 1000},
		{44100, 8000, 44100}, {48000, 8000, 48000}, {16000, 8000, 16000}, {22050, 8000, 9999}} {
		ramp := 0
		src := StreamerFunc(func(dst []float32) (int, error) {
			n := 0
			for n < len(dst)/Channels && ramp < c.in {
				dst[n*2], dst[n*2+1] = float32(ramp), -float32(ramp)
				ramp++
				n++
			}
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		})
		r := NewLinearResampler(src, c.from, c.to)
		buf := make([]float32, 1000*Channels)
		out := 0
		for {
			n, err := r.Stream(buf)
			for i := 0; i < n; i++ {
				// A ramp stays a ramp: frame k sits at input position k*from/to.
				want := float32(float64(out+i) * float64(c.from) / float64(c.to))
				if want > float32(c.in-1) {
					want = float32(c.in - 1) // the last frame is held to the end
				}
				if d := buf[i*2] - want; d > 0.01 || d < -0.01 || buf[i*2+1] != -buf[i*2] {
					t.Fatalf("%d→%d frame %d: got %v, want %v", c.from, c.to, out+i, buf[i*2], want)
				}
			}
			out += n
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		want := int64(c.in) * int64(c.to) / int64(c.from)
		if d := int64(out) - want; d > int64(c.to/c.from)+1 || d < -int64(c.to/c.from)-1 {
			t.Fatalf("%d→%d: %d frames in gave %d out, want about %d", c.from, c.to, c.in, out, want)
		}
	}
}
