//go:build !linux

package web

// lowPriority runs fn (no per-thread priority on this system).
func lowPriority(fn func()) { fn() }
