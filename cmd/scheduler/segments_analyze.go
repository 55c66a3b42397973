package main

import (
	"context"

	"fmt"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/audio"
	"github.com/truyenthanh/cchc/internal/commune"
)

// segmentsAnalyzeCommand measures the leading and trailing silence of
// segments imported before it was measured at import, so that
// audio.trim_silence applies to them too. Until then such a segment plays
// whole, and is planned at its full length: never trimmed on a guess.
func (m *Main) segmentsAnalyzeCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "analyze [--all]",
		Short: "Measure the leading/trailing silence of segments imported before it was measured (--all: every segment)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			uc, st, err := m.openCommune(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			segs, err := uc.Segments(ctx, false)
			if err != nil {
				return err
			}
			done, failed := 0, 0
			for _, seg := range segs {
				if seg.SilenceKnown && !all {
					continue
				}
				a, err := audio.Analyze(seg.Path)
				if err != nil {
					failed++
					fmt.Fprintf(m.Stderr, "#%d %s: %s (%v)\n", seg.ID, seg.Path, m.importMessage(err), err)
					continue
				}
				if err := uc.SetSilence(ctx, commune.CLIActor(), seg.ID, a.SilenceStart, a.SilenceEnd); err != nil {
					return err
				}
				done++
				fmt.Fprintf(m.Stdout, "#%d %s: %s %.3f s, %s %.3f s\n", seg.ID, seg.Title,
					m.T("lặng đầu", "leading silence"), a.SilenceStart.Seconds(), m.T("lặng cuối", "trailing silence"), a.SilenceEnd.Seconds())
			}
			fmt.Fprintf(m.Stdout, "%s: %d\n", m.T("Đã đo khoảng lặng của số bản tin", "Segments measured"), done)
			if failed > 0 {
				return reported{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "measure every segment again, not only those never measured")
	return cmd
}

// warnUnmeasuredSilence tells the operator, when audio.trim_silence is on,
// how many segments play untrimmed because their silence was never
// measured, and what to run.
func (m *Main) warnUnmeasuredSilence(ctx context.Context, uc *commune.Commune) {
	if !m.config().Audio.TrimSilence {
		return
	}
	segs, err := uc.Segments(ctx, false)
	if err != nil {
		return
	}
	n := 0
	for _, s := range segs {
		if !s.SilenceKnown {
			n++
		}
	}
	if n > 0 {
		m.logger.Warn("segments imported before silence was measured play untrimmed; run 'scheduler segments analyze'", "count", n)
		fmt.Fprintf(m.Stdout, "%s\n", m.T(
			fmt.Sprintf("%d bản tin chưa được đo khoảng lặng nên phát nguyên (không cắt lặng): chạy 'scheduler segments analyze' để đo.", n),
			fmt.Sprintf("%d segments have no measured silence and play untrimmed: run 'scheduler segments analyze'.", n)))
	}
}
