package main

import (
	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/playlist"
)

// jingle measures a slot's intro or outro (its exact length and, for
// normalisation, its loudness); nil when path is empty. The file was
// checked when the configuration was loaded; if it has become unreadable
// since, the slot goes without it (and the planner does not count it).
func (m *Main) jingle(path string) *playlist.Jingle {
	if path == "" {
		return nil
	}
	a, err := audio.Analyze(path)
	if err != nil {
		if m.logger != nil {
			m.logger.Error("jingle left out: it cannot be read", "path", path, "err", err)
		}
		return nil
	}
	return &playlist.Jingle{Path: path, Duration: a.Info.Duration(), LoudnessLUFS: a.LoudnessLUFS,
		TruePeakDBTP: a.TruePeakDBTP, Channels: a.Info.Channels}
}
