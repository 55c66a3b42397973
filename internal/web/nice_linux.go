package web

import (
	"runtime"
	"syscall"
)

// uploadNice is the scheduling niceness of the thread that analyses an
// upload: the playout's threads keep their priority over it.
const uploadNice = 10

// lowPriority runs fn on an OS thread of its own at uploadNice and waits
// for it. The thread ends with fn (it stays locked), so its priority never
// reaches other goroutines.
func lowPriority(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), uploadNice)
		fn()
	}()
	<-done
}
