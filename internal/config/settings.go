package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The web app's settings page changes a few keys of config.yaml — each
// slot's time, length and days off, each topic's monthly targets — and
// writes the file back with its comments, through yaml.v3's node tree (the
// rest of the file is left as it was, up to yaml.v3's own indentation).
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
