package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/truyenthanh/cchc/internal/audio"
)

func main() {
	f, _ := os.Create("/tmp/prof/cpu.pprof")
	pprof.StartCPUProfile(f)
	s, _, c, err := audio.OpenStream(os.Args[1], 44100)
	if err != nil {
		panic(err)
	}
	d := audio.NewDeck(44100)
	d.Enqueue(audio.NewCue("x", 1, audio.NewGain(s, -3), c))
	sink := audio.NewFileSink("/dev/shm/out3.wav", 44100, false, audio.WallClock{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for !d.Idle() {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	t := time.Now()
	sink.Run(ctx, d)
	pprof.StopCPUProfile()
	fmt.Println(time.Since(t))
}
