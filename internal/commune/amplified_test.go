package commune

import "testing"

// A zone whose outputs are all streams has no amplifier of its own; any
// other output (a sound card, a file, null) plays what no cluster received.
func TestAmplifiedByZoneOutputs(t *testing.T) {
	cases := []struct {
		outputs []string
		want    bool
	}{
		{[]string{"icecast://source:${PW}@127.0.0.1:8000/dong"}, false},
		{[]string{"icecast://a@h:1/x", "ICECAST://a@h:1/y"}, false},
		{[]string{"alsa:hw:1", "icecast://a@h:1/x"}, true},
		{[]string{"auto"}, true},
	}
	for _, c := range cases {
		if got := amplified(c.outputs); got != c.want {
			t.Errorf("amplified(%q) = %v, want %v", c.outputs, got, c.want)
		}
	}
}
