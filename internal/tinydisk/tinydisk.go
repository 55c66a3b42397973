// Package tinydisk gives tests a small disk of their own that they can fill:
// a tmpfs mounted on a temporary folder. Mounting needs root (make test runs
// as root in CI); without it the test fails, saying so, rather than being
// skipped.
package tinydisk

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Mount mounts a tmpfs of the given size (as mount -o size=…, e.g. "4m")
// on a new temporary folder, unmounted when the test ends, and returns it.
func Mount(tb testing.TB, size string) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size+",mode=0755"); err != nil {
		tb.Fatalf("mount a %s tmpfs on %s: %v — this test needs root (make test runs as root); run it with sudo", size, dir, err)
	}
	tb.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			tb.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Fill writes a file into dir until the disk has no byte left, and returns
// a function that removes it again (space returns).
func Fill(tb testing.TB, dir string) (free func()) {
	tb.Helper()
	return FillLeaving(tb, dir, 0)
}

// FillLeaving is Fill that leaves about leave bytes free (whole pages).
func FillLeaving(tb testing.TB, dir string, leave int64) (free func()) {
	tb.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatalf("fill %s: %v", dir, err)
	}
	for _, size := range []int{1 << 16, 1 << 12, 1} {
		buf := make([]byte, size)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					f.Close()
					tb.Fatalf("fill %s: %v", dir, err)
				}
				break
			}
		}
	}
	if err := f.Close(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		tb.Fatalf("fill %s: %v", dir, err)
	}
	if leave > 0 {
		fi, err := os.Stat(path)
		if err != nil {
			tb.Fatalf("fill %s: %v", dir, err)
		}
		if err := os.Truncate(path, max(0, fi.Size()-leave)); err != nil {
			tb.Fatalf("fill %s: %v", dir, err)
		}
	}
	return func() {
		tb.Helper()
		if err := os.Remove(path); err != nil {
			tb.Fatalf("free %s: %v", dir, err)
		}
	}
}
