package icecast_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/icecast"
)

func TestParseSpec(t *testing.T) {
	s, err := icecast.ParseSpec("icecast://source:hack%40me@10.0.0.5:8000/xa-tan-lap?codec=mp3&bitrate=96k&channels=2")
	if err != nil {
		t.Fatal(err)
	}
	if s.User != "source" || s.Password() != "hack@me" || s.Host != "10.0.0.5:8000" || s.Mount != "/xa-tan-lap" || s.Kbps != 96 || s.Channels != 2 || s.Codec != "mp3" {
		t.Fatalf("parsed %+v", s)
	}
	if got, want := s.String(), "icecast://source@10.0.0.5:8000/xa-tan-lap?codec=mp3&bitrate=96k&channels=2"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	d, err := icecast.ParseSpec("icecast://source:pw@h:8000/m")
	if err != nil || d.Kbps != 64 || d.Channels != 1 {
		t.Fatalf("defaults: %+v %v, want 64 kbps mono", d, err)
	}
}

// A password from the environment is read where the stream opens; an unset
// variable is named.
func TestSpecPasswordFromTheEnvironment(t *testing.T) {
	s, err := icecast.ParseSpec("icecast://source:${CCHC_ICE_PW}@127.0.0.1:8000/xa")
	if err != nil {
		t.Fatal(err)
	}
	if s.PasswordEnv != "CCHC_ICE_PW" || s.Password() != "" {
		t.Fatalf("parsed %+v", s)
	}
	env := map[string]string{"CCHC_ICE_PW": "t0p-s3cret"}
	r, err := s.WithEnv(func(k string) string { return env[k] })
	if err != nil || r.Password() != "t0p-s3cret" {
		t.Fatalf("WithEnv: %q %v", r.Password(), err)
	}
	if strings.Contains(r.String(), "t0p-s3cret") {
		t.Errorf("String shows the password: %s", r)
	}
	_, err = s.WithEnv(func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "CCHC_ICE_PW") {
		t.Errorf("unset variable: %v, want an error naming CCHC_ICE_PW", err)
	}
}

// Every bad spec is refused with an error that says what to fix and never
// shows the password.
func TestBadSpecsNeverShowThePassword(t *testing.T) {
	const pw = "Sup3rSecret"
	for _, tc := range []struct{ spec, want string }{
		{"icecast://source:" + pw + "@127.0.0.1/xa", "HOST:PORT"},
		{"icecast://source:" + pw + "@127.0.0.1:99999/xa", "port"},
		{"icecast://source:" + pw + "@127.0.0.1:8000", "mount"},
		{"icecast://source:" + pw + "@127.0.0.1:8000/xa?codec=opus", "codec"},
		{"icecast://source:" + pw + "@127.0.0.1:8000/xa?bitrate=65k", "bitrate"},
		{"icecast://source:" + pw + "@127.0.0.1:8000/xa?channels=6", "channels"},
		{"icecast://source:" + pw + "@127.0.0.1:8000/xa?volume=3", "unknown option"},
		{"icecast://source:" + pw + "@[::1:8000/xa", "URL"},
		{"icecast://source@127.0.0.1:8000/xa", "no password"},
		{"icecast://127.0.0.1:8000/xa", "USER:PASSWORD@"},
		{"icecast://source:$" + pw + "@127.0.0.1:8000/xa", "${NAME}"},
	} {
		_, err := icecast.ParseSpec(tc.spec)
		if err == nil {
			t.Errorf("%s: accepted", icecast.Redact(tc.spec))
			continue
		}
		if !errors.Is(err, icecast.ErrSpec) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an ErrSpec mentioning %q", icecast.Redact(tc.spec), err, tc.want)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"icecast://source:pw@h:1/m":       "icecast://source:***@h:1/m",
		"icecast://source:${X}@h:1/m?a=b": "icecast://source:***@h:1/m?a=b",
		"icecast://source@h:1/m":          "icecast://source@h:1/m",
		"alsa:hw:1":                       "alsa:hw:1",
		"file:/tmp/a@b.wav":               "file:/tmp/a@b.wav",
	} {
		if got := icecast.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactText(t *testing.T) {
	in := "audio:\n  output: icecast://source:hackme@10.0.0.1:8000/xa?bitrate=64k # zone\nzones:\n  - outputs: [\"icecast://source:${PW}@h:8000/b\", alsa]\n"
	got := icecast.RedactText(in)
	if strings.Contains(got, "hackme") || strings.Contains(got, "${PW}") || !strings.Contains(got, "icecast://source:***@10.0.0.1:8000/xa") || !strings.Contains(got, "icecast://source:***@h:8000/b") {
		t.Errorf("RedactText:\n%s", got)
	}
}
