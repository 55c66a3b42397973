package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truyenthanh/cchc/internal/config"
)

// The province section: absent means no province; present, each field is
// checked and a bad one is named with its line, the token file's
// permissions included.
func TestProvinceSection(t *testing.T) {
	dir := t.TempDir()
	private := filepath.Join(dir, "province.token")
	if err := os.WriteFile(private, []byte("tok-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open.token")
	if err := os.WriteFile(open, []byte("tok-123\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	section := func(url, commune, file string) string {
		return minimal + "province:\n  url: " + url + "\n  commune: " + commune + "\n  token_file: " + file + "\n"
	}
	cfg, err := config.Parse("config.yaml", []byte(minimal), noEnv)
	if err != nil || cfg.Province.Enabled() {
		t.Fatalf("no province section: %v, enabled %v", err, cfg.Province.Enabled())
	}
	cfg, err = config.Parse("config.yaml", []byte(section("http://127.0.0.1:9090", "tan-lap", private)), noEnv)
	if err != nil {
		t.Fatalf("good province section: %v", err)
	}
	if tok, err := cfg.Province.ReadToken(); err != nil || tok != "tok-123" {
		t.Fatalf("token %q, %v", tok, err)
	}
	for _, c := range []struct {
		name, yaml, key, want string
	}{
		{"bad url", section("ftp://x", "tan-lap", private), "province.url", "http(s)://"},
		{"no url", section(`""`, "tan-lap", private), "province.url", "không phải địa chỉ"},
		{"bad commune", section("http://h:1", "Tân Lập", private), "province.commune", "mã xã"},
		{"missing token file", section("http://h:1", "tan-lap", filepath.Join(dir, "none")), "province.token_file", "không đọc được"},
		{"world-readable token", section("http://h:1", "tan-lap", open), "province.token_file", "chmod 600"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Parse("config.yaml", []byte(c.yaml), noEnv)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("err %v, want *config.Error", err)
			}
			msg := ce.Localize("vi")
			if ce.Key != c.key || !strings.Contains(msg, c.want) || ce.Line == 0 {
				t.Fatalf("key %s line %d %q, want key %s and %q", ce.Key, ce.Line, msg, c.key, c.want)
			}
		})
	}
}
