package icecast

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Info is what the source tells the server about the stream (the zone):
// the ice-name, ice-description and ice-genre headers.
type Info struct {
	Name, Description, Genre string
}

// source is one open source connection: the request was accepted and the
// body (the MP3 stream) goes on for as long as it lasts.
type source struct {
	conn net.Conn
	// closed receives why the server ended the connection (read side); it
	// is buffered and written once.
	closed chan error
}

// dial opens a source connection with Icecast 2.4's HTTP PUT: Basic auth,
// Content-Type audio/mpeg, the ice-* headers, and "Expect: 100-continue"
// (Icecast answers "100 Continue" before it takes the stream, and "200 OK"
// once the mount is set up; without Expect it answers "200 OK" at once; a
// wrong password is 401, a mount already fed by another source 403).
func dial(ctx context.Context, s Spec, info Info, bitrateKbps, rate, channels int, timeout time.Duration) (*source, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Host)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(timeout))
	var b strings.Builder
	fmt.Fprintf(&b, "PUT %s HTTP/1.1\r\n", s.Mount)
	fmt.Fprintf(&b, "Host: %s\r\n", s.Host)
	fmt.Fprintf(&b, "Authorization: Basic %s\r\n", base64.StdEncoding.EncodeToString([]byte(s.User+":"+s.password)))
	b.WriteString("User-Agent: cchc-scheduler\r\n")
	b.WriteString("Content-Type: audio/mpeg\r\n")
	header := func(k, v string) {
		if v = oneLine(v); v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	header("ice-name", info.Name)
	header("ice-description", info.Description)
	header("ice-genre", info.Genre)
	header("ice-public", "0")
	header("ice-bitrate", strconv.Itoa(bitrateKbps))
	header("ice-audio-info", fmt.Sprintf("ice-samplerate=%d;ice-bitrate=%d;ice-channels=%d", rate, bitrateKbps, channels))
	b.WriteString("Expect: 100-continue\r\n\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		conn.Close()
		return nil, err
	}
	r := bufio.NewReader(conn)
	code, text, err := readStatus(r)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("no answer to the source request: %w", err)
	}
	switch {
	case code == 100 || code == 200:
	case code == 401:
		conn.Close()
		return nil, fmt.Errorf("the server refused the source user or password (%d %s)", code, text)
	case code == 403:
		conn.Close()
		return nil, fmt.Errorf("the server refused the mount %s: another source may be feeding it (%d %s)", s.Mount, code, text)
	default:
		conn.Close()
		return nil, fmt.Errorf("the server answered %d %s", code, text)
	}
	conn.SetDeadline(time.Time{})
	src := &source{conn: conn, closed: make(chan error, 1)}
	// The server says nothing more but "200 OK" (after 100 Continue); what
	// ends the read is the server closing the connection.
	go func() {
		_, err := io.Copy(io.Discard, r)
		if err == nil {
			err = io.EOF
		}
		src.closed <- fmt.Errorf("the server closed the connection (%w)", err)
	}()
	return src, nil
}

// readStatus reads a status line and its headers.
func readStatus(r *bufio.Reader) (int, string, error) {
	tp := textproto.NewReader(r)
	line, err := tp.ReadLine()
	if err != nil {
		return 0, "", err
	}
	if _, err := tp.ReadMIMEHeader(); err != nil && !errors.Is(err, io.EOF) {
		return 0, "", err
	}
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/") {
		return 0, "", fmt.Errorf("not an HTTP answer: %q", truncate(line, 60))
	}
	codeText, text, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(codeText)
	if err != nil {
		return 0, "", fmt.Errorf("not an HTTP status: %q", truncate(line, 60))
	}
	return code, text, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
