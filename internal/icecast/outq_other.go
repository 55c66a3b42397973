//go:build !linux

package icecast

import "syscall"

// unacked cannot ask the socket outside Linux: what was written counts as
// the server's.
func unacked(syscall.RawConn) int64 { return 0 }
