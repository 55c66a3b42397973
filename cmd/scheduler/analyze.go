package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/contract"
)

func (m *Main) analyzeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "analyze FILE...",
		Short: "Format, duration, loudness (LUFS), true peak (dBTP), leading/trailing silence",
		Args:  cobra.MinimumNArgs(1),
	}
	ff := addFormatFlags(cmd, "text", "json")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		format, err := ff.resolve()
		if err != nil {
			return err
		}
		out := []contract.Analysis{}
		failed := 0
		for _, path := range args {
			a, err := audio.Analyze(path)
			if err != nil {
				failed++
				fmt.Fprintf(m.Stderr, "%s: %s (%s)\n", path, m.importMessage(err), err)
				continue
			}
			out = append(out, contract.FromAnalysis(a))
		}
		w, done, err := ff.open(m.Stdout)
		if err != nil {
			return err
		}
		if format == "json" {
			err = writeJSON(w, out)
		} else {
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, m.T("TỆP\tĐỊNH DẠNG\tTHỜI LƯỢNG\tĐỘ LỚN (LUFS)\tĐỈNH THỰC (dBTP)\tLẶNG ĐẦU\tLẶNG CUỐI", "FILE\tFORMAT\tLENGTH\tLOUDNESS (LUFS)\tTRUE PEAK (dBTP)\tSILENCE START\tSILENCE END"))
			for _, a := range out {
				fmt.Fprintf(tw, "%s\t%s %d Hz %d ch %d bit\t%.1f s\t%s\t%s\t%d ms\t%d ms\n", a.Path, a.Format, a.SampleRate, a.Channels, a.BitDepth,
					float64(a.DurationMS)/1000, optFloat(a.LoudnessLUFS), optFloat(a.TruePeakDBTP), a.SilenceStartMS, a.SilenceEndMS)
			}
			err = tw.Flush()
		}
		if err != nil {
			return err
		}
		if err := done(); err != nil {
			return err
		}
		if failed > 0 {
			return reported{code: 2}
		}
		return nil
	}
	return cmd
}
