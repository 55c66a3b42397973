package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/commune"
)

func (m *Main) backupCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Copy the database to FILE with SQLite's online backup, even while the station runs (sao lưu)",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace FILE if it exists")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		dest := args[0]
		if err := m.load(); err != nil {
			return err
		}
		if fi, err := os.Stat(dest); err == nil {
			if fi.IsDir() {
				return badInput("%s: %s", dest, m.T("là một thư mục — hãy cho tên tệp, ví dụ "+dest+"/cchc-backup.db",
					"is a folder — give a file name, e.g. "+dest+"/cchc-backup.db"))
			}
			if !force {
				return badInput("%s: %s", dest, m.T("tệp đã có — chọn tên khác, hoặc thêm --force để ghi đè",
					"the file exists — choose another name, or add --force to replace it"))
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return badInput("%s: %w", dest, err)
		}
		ctx := cmd.Context()
		uc, st, err := m.openCommune(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		if same(uc.DatabasePath(), dest) {
			return badInput("%s: %s", dest, m.T("là chính cơ sở dữ liệu đang dùng", "is the database itself"))
		}
		info, err := uc.Backup(ctx, commune.CLIActor(), dest)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, m.T("Đã sao lưu vào %s (%d byte): %d lượt phát, %d bản tin.\n", "Backed up to %s (%d bytes): %d airings, %d segments.\n"),
			info.Path, info.Bytes, info.Airings, info.Segments)
		if info.Last.Seq > 0 {
			fmt.Fprintf(m.Stdout, m.T("Mã băm cuối của bản sao (thứ tự %d): %s\n", "Last hash in the copy (chain_seq %d): %s\n"), info.Last.Seq, info.Last.Hash)
		}
		return nil
	}
	return cmd
}

// same reports whether two paths name the same existing file.
func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
