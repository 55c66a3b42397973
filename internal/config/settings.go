package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The web app's settings page changes a few keys of config.yaml — each
// slot's time, length and days off, each topic's monthly targets — and
// writes the file back with its comments: each value is found through
// yaml.v3's node tree and rewritten where it stands (patchInPlace), or,
// when a key is missing, the node tree is re-encoded (comments kept,
// inline ones re-indented).
// The file stays the one source of the configuration: the CLI, `check` and
// the running station's reload all read it, so a copy in the database
// would be a second truth to drift from it.

// SlotSetting is what may be changed of a slot.
type SlotSetting struct {
	Name         string
	Hour, Minute int
	Length       time.Duration
	DaysOff      []string
}

// TopicTarget is a topic's monthly targets.
type TopicTarget struct {
	Code    string
	Airings int
	Minutes float64
}

// Settings are the changes of one save; slots and topics not named keep
// their values.
type Settings struct {
	Slots  []SlotSetting
	Topics []TopicTarget
}

// WriteSettings applies set to the file at path, validates the result by
// the very rules of Load (an *Error naming key, value and fix when it does
// not hold, and then nothing is written), and replaces the file atomically.
// It returns the new configuration.
func WriteSettings(path string, set Settings) (Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config %s: %w", path, err)
	}
	out, err := applySettings(raw, set)
	if err != nil {
		return Config{}, err
	}
	if patched, ok := patchInPlace(raw, set); ok {
		out = patched // the same values, every other byte of the file kept
	}
	cfg, err := Parse(path, out, os.LookupEnv)
	if err != nil {
		return Config{}, err
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return Config{}, fmt.Errorf("write config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return Config{}, fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return Config{}, fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Config{}, fmt.Errorf("write config: %w", err)
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return Config{}, fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Config{}, fmt.Errorf("write config: %w", err)
	}
	return cfg, nil
}

// applySettings edits the YAML text's node tree.
func applySettings(raw []byte, set Settings) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config: not a YAML mapping")
	}
	root := doc.Content[0]
	slots := child(child(root, "schedule"), "slots")
	for _, s := range set.Slots {
		item := findItem(slots, "name", s.Name)
		if item == nil {
			return nil, &Error{Key: "schedule.slots", Value: s.Name, Problem: "no such slot", ProblemVI: "không có khung giờ này",
				Fix: "reload the page", FixVI: "tải lại trang"}
		}
		cronNode := child(item, "cron")
		if cronNode == nil {
			return nil, &Error{Key: "schedule.slots." + s.Name + ".cron", Problem: "missing", ProblemVI: "thiếu", Fix: "edit config.yaml", FixVI: "sửa config.yaml"}
		}
		spec, err := withTime(cronNode.Value, s.Hour, s.Minute)
		if err != nil {
			return nil, &Error{Key: "schedule.slots." + s.Name + ".cron", Value: cronNode.Value, Problem: err.Error(),
				ProblemVI: "lịch cron phức tạp, không đổi giờ được ở đây", Fix: "edit config.yaml", FixVI: "sửa trực tiếp config.yaml"}
		}
		cronNode.Value = spec
		setScalar(item, "length", durationText(s.Length), "")
		seq := child(item, "days_off")
		if seq == nil {
			item.Content = append(item.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "days_off"},
				&yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle})
			seq = item.Content[len(item.Content)-1]
		}
		seq.Kind, seq.Tag = yaml.SequenceNode, "!!seq"
		seq.Content = nil
		for _, d := range s.DaysOff {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: d, Style: yaml.DoubleQuotedStyle})
		}
	}
	topics := child(root, "topics")
	for _, t := range set.Topics {
		item := findItem(topics, "code", t.Code)
		if item == nil {
			return nil, &Error{Key: "topics", Value: t.Code, Problem: "no such topic", ProblemVI: "không có lĩnh vực này", Fix: "reload the page", FixVI: "tải lại trang"}
		}
		setScalar(item, "target_airings", strconv.Itoa(t.Airings), "!!int")
		setScalar(item, "target_minutes", strconv.FormatFloat(t.Minutes, 'f', -1, 64), "")
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	enc.Close()
	return b.Bytes(), nil
}

// patchInPlace writes the settings into the file's text where the values
// stand, so that the rest of it (alignment, blank lines, comments) stays
// byte for byte. It gives up (false) on a key that is absent or a days_off
// that is not a one-line flow list; applySettings' re-encoding is used then.
func patchInPlace(raw []byte, set Settings) ([]byte, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil || len(doc.Content) == 0 {
		return nil, false
	}
	root := doc.Content[0]
	type edit struct {
		line, col int // 1-based, col in characters
		n         int // characters replaced
		text      string
	}
	lines := strings.SplitAfter(string(raw), "\n")
	var edits []edit
	token := func(v *yaml.Node) (edit, bool) {
		if v == nil || v.Line < 1 || v.Line > len(lines) {
			return edit{}, false
		}
		r := []rune(strings.TrimRight(lines[v.Line-1], "\r\n"))
		start := v.Column - 1
		if start < 0 || start >= len(r) {
			return edit{}, false
		}
		end := -1
		switch {
		case v.Kind == yaml.SequenceNode:
			if r[start] != '[' {
				return edit{}, false
			}
			for i := start; i < len(r); i++ {
				if r[i] == ']' {
					end = i + 1
					break
				}
			}
		case v.Style&yaml.DoubleQuotedStyle != 0:
			for i := start + 1; i < len(r); i++ {
				if r[i] == '\\' {
					i++
				} else if r[i] == '"' {
					end = i + 1
					break
				}
			}
		case v.Style&yaml.SingleQuotedStyle != 0:
			for i := start + 1; i < len(r); i++ {
				if r[i] == '\'' {
					if i+1 < len(r) && r[i+1] == '\'' {
						i++
						continue
					}
					end = i + 1
					break
				}
			}
		case v.Kind == yaml.ScalarNode && v.Style == 0:
			rest := string(r[start:])
			if i := strings.Index(rest, " #"); i >= 0 {
				rest = rest[:i]
			}
			end = start + len([]rune(strings.TrimRight(rest, " \t")))
		}
		if end < 0 {
			return edit{}, false
		}
		return edit{line: v.Line, col: v.Column, n: end - start}, true
	}
	quoted := func(v *yaml.Node, val string) string {
		if v.Style&yaml.DoubleQuotedStyle != 0 {
			return strconv.Quote(val)
		}
		return val
	}
	add := func(v *yaml.Node, text string) bool {
		e, ok := token(v)
		if !ok {
			return false
		}
		e.text = text
		edits = append(edits, e)
		return true
	}
	slots := child(child(root, "schedule"), "slots")
	for _, sl := range set.Slots {
		item := findItem(slots, "name", sl.Name)
		cronNode, length, off := child(item, "cron"), child(item, "length"), child(item, "days_off")
		if item == nil || cronNode == nil || length == nil || off == nil || off.Style&yaml.FlowStyle == 0 {
			return nil, false
		}
		spec, err := withTime(cronNode.Value, sl.Hour, sl.Minute)
		if err != nil {
			return nil, false
		}
		var days []string
		for _, d := range sl.DaysOff {
			days = append(days, strconv.Quote(d))
		}
		if !add(cronNode, quoted(cronNode, spec)) || !add(length, quoted(length, durationText(sl.Length))) || !add(off, "["+strings.Join(days, ", ")+"]") {
			return nil, false
		}
	}
	topics := child(root, "topics")
	for _, t := range set.Topics {
		item := findItem(topics, "code", t.Code)
		a, m := child(item, "target_airings"), child(item, "target_minutes")
		if a == nil || m == nil || !add(a, strconv.Itoa(t.Airings)) || !add(m, strconv.FormatFloat(t.Minutes, 'f', -1, 64)) {
			return nil, false
		}
	}
	// From the end, so that earlier positions stay right.
	sort.Slice(edits, func(i, j int) bool {
		if edits[i].line != edits[j].line {
			return edits[i].line > edits[j].line
		}
		return edits[i].col > edits[j].col
	})
	for _, e := range edits {
		line := lines[e.line-1]
		body := strings.TrimRight(line, "\r\n")
		nl := line[len(body):]
		r := []rune(body)
		lines[e.line-1] = string(r[:e.col-1]) + e.text + string(r[e.col-1+e.n:]) + nl
	}
	return []byte(strings.Join(lines, "")), true
}

// child is the value of key in a mapping node (nil when absent).
func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// findItem is the mapping in a sequence whose key has value.
func findItem(seq *yaml.Node, key, value string) *yaml.Node {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	for _, it := range seq.Content {
		if v := child(it, key); v != nil && v.Value == value {
			return it
		}
	}
	return nil
}

// setScalar sets (or adds) a scalar key of a mapping, keeping its comment.
func setScalar(m *yaml.Node, key, value, tag string) {
	if v := child(m, key); v != nil {
		v.Kind, v.Value, v.Style = yaml.ScalarNode, value, 0
		v.Tag = tag
		return
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Value: value, Tag: tag})
}

// withTime sets the minute and hour of a cron spec whose minute and hour
// are plain numbers (a leading seconds field is kept).
func withTime(spec string, hour, minute int) (string, error) {
	f := strings.Fields(spec)
	i := 0
	if len(f) == 6 {
		i = 1
	}
	if len(f) < 5 || len(f) > 6 {
		return "", fmt.Errorf("cron %q: want 5 or 6 fields", spec)
	}
	if _, err := strconv.Atoi(f[i]); err != nil {
		return "", fmt.Errorf("cron %q: the minute is not one number", spec)
	}
	if _, err := strconv.Atoi(f[i+1]); err != nil {
		return "", fmt.Errorf("cron %q: the hour is not one number", spec)
	}
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return "", fmt.Errorf("time %02d:%02d is not a time of day", hour, minute)
	}
	f[i], f[i+1] = strconv.Itoa(minute), strconv.Itoa(hour)
	return strings.Join(f, " "), nil
}

// durationText writes a length as config.yaml does: 10m, 1h30m, 90s.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
