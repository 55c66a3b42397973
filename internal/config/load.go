package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// EnvPrefix prefixes environment overrides: CCHC_AUDIO_OUTPUT=null overrides
// audio.output.
const EnvPrefix = "CCHC"

// Error is a configuration problem the operator can fix: it names the file,
// the line when known, the key, the bad value and what to do.
type Error struct {
	File    string
	Line    int
	Key     string
	Value   string
	Problem string // English
	Fix     string // English
	// ProblemVI and FixVI are the Vietnamese versions shown to the operator.
	ProblemVI string
	FixVI     string
}

func (e *Error) Error() string { return e.Localize("en") }

// Localize renders the error in the operator's language ("vi" or "en").
func (e *Error) Localize(lang string) string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	problem, fix := e.Problem, e.Fix
	keyWord, valueWord := "key", "value"
	if lang != "en" {
		if e.ProblemVI != "" {
			problem = e.ProblemVI
		}
		if e.FixVI != "" {
			fix = e.FixVI
		}
		keyWord, valueWord = "khóa", "giá trị"
	}
	b.WriteString(": ")
	if e.Key != "" {
		fmt.Fprintf(&b, "%s %s", keyWord, e.Key)
		if e.Value != "" {
			fmt.Fprintf(&b, ", %s %q", valueWord, e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(problem)
	if fix != "" {
		b.WriteString(" — ")
		b.WriteString(fix)
	}
	return b.String()
}

// Load reads the file at path over Default(), applies CCHC_* environment
// overrides, and validates the result.
func Load(path string) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Config{}, &Error{File: path, Problem: "file not found", ProblemVI: "không tìm thấy tệp cấu hình",
				Fix: "copy config.yaml from the project or pass --config FILE", FixVI: "chép config.yaml của dự án hoặc chỉ rõ --config TỆP"}
		}
		return Config{}, fmt.Errorf("read config %s: %w", path, err)
	}
	return Parse(path, raw, os.LookupEnv)
}

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)
var unknownFieldRE = regexp.MustCompile(`field (\S+) not found in type config\.(\w+)`)

// Parse decodes raw (named path in errors) over Default() with environment
// overrides looked up through lookupEnv, and validates it.
func Parse(path string, raw []byte, lookupEnv func(string) (string, bool)) (Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return Config{}, yamlError(path, err)
	}
	// Strict pass: yaml.v3 names unknown keys with their line.
	strict := Default()
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&strict); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, yamlError(path, err)
	}

	// The viper pass gives defaults and environment overrides.
	v := viper.New()
	v.SetConfigType("yaml")
	setDefaults(v, "", reflect.ValueOf(Default()))
	if err := v.ReadConfig(bytes.NewReader(raw)); err != nil {
		return Config{}, yamlError(path, err)
	}
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	for _, key := range v.AllKeys() {
		env := EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
		if val, ok := lookupEnv(env); ok {
			v.Set(key, val)
		}
	}
	var cfg Config
	err := v.UnmarshalExact(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		)
	})
	if err != nil {
		return Config{}, &Error{File: path, Problem: err.Error(), ProblemVI: "giá trị sai kiểu: " + err.Error(),
			Fix: "check the value's type (durations like 10m, numbers, lists)", FixVI: "kiểm tra kiểu giá trị (thời lượng như 10m, số, danh sách)"}
	}
	// "output: null" is YAML's null, which viper drops; the operator means
	// the null output.
	if _, set := lookupEnv(EnvPrefix + "_AUDIO_OUTPUT"); !set {
		if n := nodeAt(&root, "audio.output"); n != nil && n.Tag == "!!null" && n.Value == "null" {
			cfg.Audio.Output = "null"
		}
	}
	nullOutputs(&root, &cfg)
	if err := cfg.Validate(); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File = path
			ce.Line = lineOf(&root, ce.Key)
		}
		return Config{}, err
	}
	return cfg, nil
}

func yamlError(path string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimSpace(msg)
	e := &Error{File: path, Problem: msg, ProblemVI: "lỗi cú pháp YAML: " + msg,
		Fix: "fix the YAML syntax (indentation with spaces, key: value)", FixVI: "sửa cú pháp YAML (thụt lề bằng dấu cách, dạng khóa: giá trị)"}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Problem = m[2]
		e.ProblemVI = "lỗi YAML: " + m[2]
		if u := unknownFieldRE.FindStringSubmatch(m[2]); u != nil {
			e.Problem = fmt.Sprintf("unknown key %q in section %s", u[1], strings.ToLower(u[2]))
			e.ProblemVI = fmt.Sprintf("khóa %q không có trong phần %s", u[1], strings.ToLower(u[2]))
			e.Key = ""
			e.Fix = "remove it or correct its spelling (see the comments in the shipped config.yaml)"
			e.FixVI = "xóa khóa này hoặc sửa lại chính tả (xem chú thích trong config.yaml mẫu)"
		}
	}
	return e
}

// setDefaults registers every leaf of def with viper, so that environment
// overrides reach the struct.
func setDefaults(v *viper.Viper, prefix string, def reflect.Value) {
	t := def.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := f.Tag.Get("mapstructure")
		if prefix != "" {
			key = prefix + "." + key
		}
		fv := def.Field(i)
		if fv.Kind() == reflect.Struct {
			setDefaults(v, key, fv)
			continue
		}
		v.SetDefault(key, fv.Interface())
	}
}

// nodeAt finds the scalar node of a dotted key path without indexes.
func nodeAt(root *yaml.Node, key string) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, part := range strings.Split(key, ".") {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == part {
				next = n.Content[j+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// lineOf finds the line of a dotted key path such as "schedule.slots[1].cron"
// in the YAML tree; 0 when it is not there.
func lineOf(root *yaml.Node, key string) int {
	if key == "" || root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(key, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			idx, _ = strconv.Atoi(part[i+1 : len(part)-1])
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == name {
				line = n.Content[j].Line
				n = n.Content[j+1]
				found = true
				break
			}
		}
		if !found {
			return line
		}
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	if n.Kind == yaml.ScalarNode {
		return n.Line
	}
	return line
}

// nullOutputs turns a YAML null in a zone's outputs ("outputs: [null]"),
// which decodes as "", into the null output the operator means.
func nullOutputs(root *yaml.Node, cfg *Config) {
	zones := nodeAt(root, "zones")
	if zones == nil || zones.Kind != yaml.SequenceNode {
		return
	}
	for i, z := range zones.Content {
		if i >= len(cfg.Zones) || z.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(z.Content); j += 2 {
			if z.Content[j].Value != "outputs" || z.Content[j+1].Kind != yaml.SequenceNode {
				continue
			}
			for k, o := range z.Content[j+1].Content {
				if k < len(cfg.Zones[i].Outputs) && o.Tag == "!!null" && o.Value == "null" {
					cfg.Zones[i].Outputs[k] = "null"
				}
			}
		}
	}
}
