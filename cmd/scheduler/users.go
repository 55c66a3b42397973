package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/store"
)

// minPassword is the shortest password accepted, in characters.
const minPassword = 8

func (m *Main) usersCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Accounts of the web app (người dùng)"}
	cmd.AddCommand(m.usersAddCommand(), m.usersPasswordCommand(), m.usersListCommand())
	return cmd
}

// readPassword reads the password from the first line of standard input.
func (m *Main) readPassword() (string, error) {
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", badInput("%s", m.T("không đọc được mật khẩu: hãy đưa mật khẩu vào đầu vào chuẩn, ví dụ: echo 'mật-khẩu' | scheduler users add TÊN --role operator",
			"no password on standard input: pipe it in, e.g. echo 'password' | scheduler users add NAME --role operator"))
	}
	pw := strings.TrimRight(line, "\r\n")
	if utf8.RuneCountInString(pw) < minPassword {
		return "", badInput(m.T("mật khẩu quá ngắn (%d ký tự): cần ít nhất %d ký tự", "password too short (%d characters): use at least %d"),
			utf8.RuneCountInString(pw), minPassword)
	}
	return pw, nil
}

func (m *Main) usersAddCommand() *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "add NAME --role operator|approver|viewer",
		Short: "Add a user; the password is read from standard input",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !store.ValidRole(role) {
				return badInput("--role %q: %s", role, m.T("dùng operator (vận hành), approver (phê duyệt) hoặc viewer (chỉ xem)", "use operator, approver or viewer"))
			}
			if !store.ValidUserName(name) {
				return badInput("%s %q: %s", m.T("tên", "name"), name, m.T("cần 1–64 ký tự, không có dấu cách", "use 1–64 characters without spaces"))
			}
			pw, err := m.readPassword()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			uc, st, err := m.openCommune(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := uc.AddUser(ctx, commune.CLIActor(), name, role, pw, "", ""); err != nil {
				if errors.Is(err, store.ErrExists) {
					return badInput("%s %q %s", m.T("người dùng", "user"), name, m.T("đã có — đổi mật khẩu bằng: scheduler users passwd TÊN", "already exists — change the password with: scheduler users passwd NAME"))
				}
				return err
			}
			fmt.Fprintf(m.Stdout, "%s: %s (%s)\n", m.T("đã thêm người dùng", "user added"), name, role)
			return nil
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "operator (load, schedule, play), approver (approve segments) or viewer (logs and reports)")
	return cmd
}

func (m *Main) usersPasswordCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "passwd NAME",
		Short: "Change a user's password; the new one is read from standard input",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := m.readPassword()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			uc, st, err := m.openCommune(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := uc.SetPassword(ctx, commune.CLIActor(), args[0], pw); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return badInput("%s %q %s", m.T("người dùng", "user"), args[0], m.T("không có — xem: scheduler users list", "does not exist — see: scheduler users list"))
				}
				return err
			}
			fmt.Fprintf(m.Stdout, "%s: %s\n", m.T("đã đổi mật khẩu", "password changed"), args[0])
			return nil
		},
	}
}

func (m *Main) usersListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the users and their roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			uc, st, err := m.openCommune(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			users, err := uc.Users(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, m.T("TÊN\tVAI TRÒ\tNGÀY TẠO", "NAME\tROLE\tCREATED"))
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Name, u.Role, u.Created.In(m.loc).Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}
}
