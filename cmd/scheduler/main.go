// Command scheduler is the commune loudspeaker station: it loads segments,
// fills the timetable, plays it through the sound card, logs every airing and
// reports coverage against the CCHC plan.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even where the system has no zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain(os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	code := m.Exit(m.Run(ctx, os.Args[1:]))
	stop()
	os.Exit(code)
}
