// Package icecast is the station's source client for an Icecast 2 server,
// which fans one stream out to many IP loudspeaker clusters (cụm loa
// truyền thanh ứng dụng CNTT–VT): the output spec, the HTTP PUT source
// protocol of Icecast 2.4, the server's listener statistics, and a sink
// that encodes the deck to MP3 (internal/audio/lame) in real time.
package icecast

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Scheme is the output spec's scheme.
const Scheme = "icecast"

// Spec is a parsed output spec:
//
//	icecast://USER:PASSWORD@HOST:PORT/MOUNT?codec=mp3&bitrate=64k&channels=1
//
// PASSWORD may be ${NAME}, read from the environment variable NAME. The
// password is kept unexported and never printed: String and every error
// of this package show the spec without it.
type Spec struct {
	User     string
	Host     string // host:port
	Mount    string // starts with "/"
	Codec    string // mp3
	Kbps     int
	Channels int
	password string
	// PasswordEnv is NAME when the password was written ${NAME}.
	PasswordEnv string
}

// Password is the source password, for the Authorization header only.
func (s Spec) Password() string { return s.password }

// String is the spec without its password: safe for logs, the web app and
// error messages.
func (s Spec) String() string {
	u := url.URL{Scheme: Scheme, User: url.User(s.User), Host: s.Host, Path: s.Mount}
	q := fmt.Sprintf("codec=%s&bitrate=%dk&channels=%d", s.Codec, s.Kbps, s.Channels)
	return u.String() + "?" + q
}

// IsSpec reports whether spec names an Icecast output.
func IsSpec(spec string) bool {
	return strings.HasPrefix(strings.ToLower(spec), Scheme+"://")
}

// credentials matches the user-info part of a URL-like spec.
var credentials = regexp.MustCompile(`(?i)^([a-z][a-z0-9+.-]*://)([^@/?#]*)@`)

// Redact is spec with any password in it replaced by "***", for messages
// that quote a spec that may not parse.
func Redact(spec string) string {
	m := credentials.FindStringSubmatchIndex(spec)
	if m == nil {
		return spec
	}
	userinfo := spec[m[4]:m[5]]
	user, _, hasPass := strings.Cut(userinfo, ":")
	if !hasPass {
		return spec
	}
	return spec[:m[4]] + user + ":***" + spec[m[5]:]
}

// inText matches the password of any icecast:// spec in a text.
var inText = regexp.MustCompile(`(?i)(icecast://[^\s:@/?#"']*):[^\s@/?#"']*@`)

// RedactText is text (a configuration file shown to the operator) with the
// password of every icecast:// spec in it replaced by "***".
func RedactText(text string) string {
	return inText.ReplaceAllString(text, "${1}:***@")
}

// envRef is a password written ${NAME}.
var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// ErrSpec is wrapped by every error of ParseSpec.
var ErrSpec = errors.New("bad icecast output")

// ParseSpec parses an icecast:// output spec. A ${NAME} password is read
// later, by WithEnv, where the stream is opened (a report needs no
// password). Its errors name the spec without its password.
func ParseSpec(spec string) (Spec, error) {
	shown := Redact(spec)
	bad := func(format string, args ...any) (Spec, error) {
		return Spec{}, fmt.Errorf("%w %s: %s", ErrSpec, shown, fmt.Sprintf(format, args...))
	}
	if !IsSpec(spec) {
		return bad("does not start with icecast://")
	}
	// ${NAME} is not valid URL user-info: take the user-info apart first.
	rest := spec[len(Scheme)+3:]
	at := strings.LastIndex(rest[:firstOf(rest, "/?#")], "@")
	if at < 0 {
		return bad("no USER:PASSWORD@ before the host (the source user is usually \"source\")")
	}
	user, pass, ok := strings.Cut(rest[:at], ":")
	if !ok || pass == "" {
		return bad("no password: write USER:PASSWORD@ or USER:${ENV_NAME}@")
	}
	u, err := url.Parse(Scheme + "://" + rest[at+1:])
	if err != nil {
		return bad("not a URL (%s)", urlReason(err))
	}
	s := Spec{Codec: "mp3", Kbps: 64, Channels: 1}
	if s.User, err = url.PathUnescape(user); err != nil || s.User == "" {
		return bad("the user is empty or badly escaped")
	}
	if m := envRef.FindStringSubmatch(pass); m != nil {
		s.PasswordEnv = m[1]
	} else if strings.HasPrefix(pass, "$") {
		return bad("write an environment variable as ${NAME} (letters, digits, _)")
	} else if s.password, err = url.PathUnescape(pass); err != nil {
		return bad("the password is badly escaped (write %%XX for special characters, or use ${ENV_NAME})")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return bad("the server must be HOST:PORT, e.g. 127.0.0.1:8000")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return bad("port %q is not a port number", port)
	}
	s.Host = u.Host
	s.Mount = u.Path
	if s.Mount == "" || s.Mount == "/" || strings.ContainsAny(s.Mount, " \t") {
		return bad("no mount: add one after the port, e.g. /xa-tan-lap")
	}
	q := u.Query()
	for key := range q {
		switch key {
		case "codec", "bitrate", "channels":
		default:
			return bad("unknown option %q (codec, bitrate, channels)", key)
		}
	}
	if v := q.Get("codec"); v != "" && v != "mp3" {
		return bad("codec %q is not supported: use codec=mp3", v)
	}
	if v := q.Get("bitrate"); v != "" {
		k, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(v), "k"))
		if err != nil || !validKbps(k) {
			return bad("bitrate %q: use one of 32k, 40k, 48k, 56k, 64k, 80k, 96k, 112k, 128k, 160k, 192k", v)
		}
		s.Kbps = k
	}
	if v := q.Get("channels"); v != "" {
		if v != "1" && v != "2" {
			return bad("channels %q: use 1 (mono) or 2 (stereo)", v)
		}
		s.Channels, _ = strconv.Atoi(v)
	}
	return s, nil
}

// WithEnv is s with its ${NAME} password read from the environment by
// getenv (os.Getenv); an unset variable is an error naming it.
func (s Spec) WithEnv(getenv func(string) string) (Spec, error) {
	if s.PasswordEnv == "" {
		return s, nil
	}
	if s.password = getenv(s.PasswordEnv); s.password == "" {
		return Spec{}, fmt.Errorf("%w %s: the environment variable %s (the source password) is not set: set it in the station's environment (e.g. the systemd unit's Environment= or EnvironmentFile=)", ErrSpec, s, s.PasswordEnv)
	}
	return s, nil
}

func firstOf(s, chars string) int {
	if i := strings.IndexAny(s, chars); i >= 0 {
		return i
	}
	return len(s)
}

// urlReason is url.Parse's complaint without the URL it quotes.
func urlReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return "unparsable"
}

func validKbps(k int) bool {
	switch k {
	case 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192:
		return true
	}
	return false
}
