package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Province is the province server this station reports to (issue 16):
// closed airings go up, bulletins come down. An empty URL (the section left
// out) means no province: the station works on its own, as before.
type Province struct {
	// URL is the province server's address, e.g. https://truyenthanh.tinh.gov.vn.
	URL string `yaml:"url" mapstructure:"url"`
	// Commune is this station's code at the province (given with the token).
	Commune string `yaml:"commune" mapstructure:"commune"`
	// TokenFile holds the station's token, printed once by
	// `scheduler province communes add`; it must not be readable by
	// every user of the machine (chmod 600).
	TokenFile string `yaml:"token_file" mapstructure:"token_file"`
}

// Enabled reports whether a province is configured.
func (p Province) Enabled() bool { return p.URL != "" || p.Commune != "" || p.TokenFile != "" }

// ReadToken reads the station's token from TokenFile.
func (p Province) ReadToken() (string, error) {
	raw, err := os.ReadFile(p.TokenFile)
	if err != nil {
		return "", fmt.Errorf("province token %s: %w", p.TokenFile, err)
	}
	tok := strings.TrimSpace(string(raw))
	if tok == "" {
		return "", fmt.Errorf("province token %s: the file is empty", p.TokenFile)
	}
	return tok, nil
}

// validate checks the province section; nil when it is left out.
func (p Province) validate() error {
	if !p.Enabled() {
		return nil
	}
	bad := func(key, value, problem, problemVI, fix, fixVI string) error {
		return &Error{Key: key, Value: value, Problem: problem, ProblemVI: problemVI, Fix: fix, FixVI: fixVI}
	}
	u, err := url.Parse(p.URL)
	if p.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("province.url", p.URL, "is not the province server's address", "không phải địa chỉ máy chủ của tỉnh",
			"write it as http(s)://HOST[:PORT], e.g. https://truyenthanh.hungyen.gov.vn, or remove the province section",
			"viết dạng http(s)://MÁY[:CỔNG], ví dụ https://truyenthanh.hungyen.gov.vn, hoặc bỏ cả phần province")
	}
	if !codeRE.MatchString(p.Commune) {
		return bad("province.commune", p.Commune, "is not a commune code", "không phải mã xã hợp lệ",
			"write the code the province gave this commune, e.g. tan-lap (lower-case letters, digits, dashes)",
			"ghi mã xã do tỉnh cấp, ví dụ tan-lap (chữ thường không dấu, số, gạch ngang)")
	}
	if p.TokenFile == "" {
		return bad("province.token_file", "", "is empty", "đang trống",
			"give the file holding the token printed by 'scheduler province communes add', e.g. /etc/cchc/province.token",
			"chỉ tệp chứa mã truy cập do lệnh 'scheduler province communes add' in ra, ví dụ /etc/cchc/province.token")
	}
	info, err := os.Stat(p.TokenFile)
	if err != nil {
		return bad("province.token_file", p.TokenFile, "cannot be read: "+err.Error(), "không đọc được: "+err.Error(),
			"put the station's token in that file (chmod 600), or correct the path",
			"ghi mã truy cập của trạm vào tệp đó (chmod 600), hoặc sửa lại đường dẫn")
	}
	if info.IsDir() {
		return bad("province.token_file", p.TokenFile, "is a folder", "là một thư mục",
			"give the token's file, not its folder", "chỉ tới tệp chứa mã, không phải thư mục")
	}
	if info.Mode().Perm()&0o004 != 0 {
		return bad("province.token_file", p.TokenFile,
			fmt.Sprintf("is readable by every user of the machine (mode %04o)", info.Mode().Perm()),
			fmt.Sprintf("mọi người dùng trên máy đều đọc được (quyền %04o)", info.Mode().Perm()),
			"restrict it: chmod 600 "+p.TokenFile, "hạn chế quyền đọc: chmod 600 "+p.TokenFile)
	}
	return nil
}
