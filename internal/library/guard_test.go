package library_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/store"
	"github.com/truyenthanh/cchc/internal/tinydisk"
)

// Titles from tags, file names and --title are stored as one clean line.
func TestImportCleansTitles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tthc")
	for i, c := range []struct {
		name, file, inam string
		opts             library.Options
		want             string
	}{
		{"INAM with a newline and escapes", "a.wav", "Dịch vụ\ncông \x1b[31mtrực tuyến\x1b[0m", library.Options{}, "Dịch vụ công trực tuyến"},
		{"INAM of controls only: file name", "ban-tin-b.wav", "\x1b[2J\t", library.Options{}, "ban-tin-b"},
		{"file name with a newline", "Bản tin\nsố\t3.wav", "", library.Options{}, "Bản tin số 3"},
		{"--title with escapes", "c.wav", "", library.Options{Title: "\x1b]0;x\x07Tiêu đề\r\nmới  "}, "Tiêu đề mới"},
	} {
		t.Run(c.name, func(t *testing.T) {
			im, _ := newImporter(t)
			path := write(t, filepath.Join(dir, c.file), wavBytes(300+float64(40*i), 300, c.inam))
			opts := c.opts
			opts.Topics = []string{"tthc"}
			results, err := im.Import(context.Background(), []string{path}, opts, nil)
			if err != nil || len(results) != 1 || results[0].Err != nil {
				t.Fatalf("import: %v %+v", err, results)
			}
			if got := results[0].Segment.Title; got != c.want {
				t.Errorf("title %q, want %q", got, c.want)
			}
		})
	}
}

// A full disk stops the import at the file it could not store, named with
// the cause; what was stored before stays, nothing of that file is stored.
func TestImportOnAFullDiskNamesTheFile(t *testing.T) {
	ctx := context.Background()
	disk := tinydisk.Mount(t, "4m")
	st, err := store.Open(ctx, disk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	im := &library.Importer{Store: st, Topics: map[string]bool{"tthc": true}}
	dir := t.TempDir()
	first := write(t, filepath.Join(dir, "mot.wav"), wavBytes(300, 300, ""))
	second := write(t, filepath.Join(dir, "hai.wav"), wavBytes(400, 300, ""))
	if _, err := im.Import(ctx, []string{first}, library.Options{Topics: []string{"tthc"}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	free := tinydisk.Fill(t, disk)
	defer free()
	results, err := im.Import(ctx, []string{second}, library.Options{Topics: []string{"tthc"}}, nil)
	if !errors.Is(err, store.ErrDiskFull) {
		t.Fatalf("import on a full disk: %v, want store.ErrDiskFull", err)
	}
	if len(results) != 1 || results[0].Path != second || !errors.Is(results[0].Err, store.ErrDiskFull) {
		t.Fatalf("results %+v: want %s refused for the full disk", results, second)
	}
	if segs := stored(t, st); len(segs) != 1 || segs[0].Path != first {
		t.Fatalf("stored after the full disk: %+v, want only %s", segs, first)
	}
}
