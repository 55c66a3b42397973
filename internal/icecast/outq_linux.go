package icecast

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// unacked is how many bytes written to the socket its peer has not yet
// acknowledged (SIOCOUTQ): they are ours, not yet the server's.
func unacked(raw syscall.RawConn) int64 {
	if raw == nil {
		return 0
	}
	var n int
	var err error
	if cerr := raw.Control(func(fd uintptr) { n, err = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ) }); cerr != nil || err != nil {
		return 0
	}
	return int64(n)
}
