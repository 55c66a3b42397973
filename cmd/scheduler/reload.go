package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/truyenthanh/cchc/internal/commune"
	"github.com/truyenthanh/cchc/internal/config"
	"github.com/truyenthanh/cchc/internal/library"
	"github.com/truyenthanh/cchc/internal/station"
	"github.com/truyenthanh/cchc/internal/store"
)

// reloadDelay gathers a burst of file events (an editor saving, a folder
// being copied) into one reload.
const reloadDelay = time.Second

// watchReload reloads the configuration and the library on SIGHUP and when
// config.yaml or the media folder change, until ctx is done. The airing in
// progress is never cut; a configuration that does not validate is refused
// and the running one kept.
func (m *Main) watchReload(ctx context.Context, stn *station.Group, st *store.Store) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	log := m.logger.With("component", "reload")
	configPath, _ := filepath.Abs(m.configPath)
	mediaDir, _ := filepath.Abs(m.config().Station.MediaDir)
	var events chan fsnotify.Event
	if w, err := fsnotify.NewWatcher(); err != nil {
		log.Warn("cannot watch files; reload with SIGHUP", "err", err)
	} else {
		defer w.Close()
		events = w.Events
		// Editors replace files: watch the config's folder, not the file.
		if err := w.Add(filepath.Dir(configPath)); err != nil {
			log.Warn("cannot watch the configuration", "err", err)
		}
		filepath.WalkDir(mediaDir, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				w.Add(path)
			}
			return nil
		})
	}
	var timer <-chan time.Time
	configChanged, mediaChanged := false, false
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			log.Info("SIGHUP: reloading the configuration and the library")
			m.reload(ctx, stn, st, true, true)
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			path, _ := filepath.Abs(ev.Name)
			switch {
			case path == configPath:
				configChanged = true
			case filepath.Dir(path) == mediaDir || len(path) > len(mediaDir) && path[:len(mediaDir)+1] == mediaDir+string(filepath.Separator):
				mediaChanged = true
			default:
				continue
			}
			timer = time.After(reloadDelay)
		case <-timer:
			m.reload(ctx, stn, st, configChanged, mediaChanged)
			configChanged, mediaChanged, timer = false, false, nil
		}
	}
}

// reload applies a new configuration and imports new files of the media
// folder.
func (m *Main) reload(ctx context.Context, stn *station.Group, st *store.Store, cfgToo, mediaToo bool) {
	log := m.logger.With("component", "reload")
	cur := m.config()
	if cfgToo {
		cfg, err := config.Load(m.configPath)
		var ce *config.Error
		switch {
		case errors.As(err, &ce):
			log.Error("the new configuration is refused; the running one is kept", "err", ce.Localize(m.language()))
		case err != nil:
			log.Error("the new configuration is refused; the running one is kept", "err", err)
		case cfg.Station.Timezone != cur.Station.Timezone:
			log.Error("the new configuration changes station.timezone: restart the station for that; the running configuration is kept")
		default:
			if cfg.Audio.Output != cur.Audio.Output || cfg.Audio.SampleRate != cur.Audio.SampleRate || cfg.Audio.Buffer != cur.Audio.Buffer {
				log.Warn("audio.output, sample_rate and buffer take effect at the next start; the rest is in force now")
			}
			if !reflect.DeepEqual(cfg.ZoneList(), cur.ZoneList()) {
				log.Warn("zones (their list and outputs) take effect at the next start; each running zone's slots are in force now")
			}
			cfg.Station.DataDir = cur.Station.DataDir // the open database stays
			m.setConfig(cfg)
			stn.Reload(m.planner(), cfg.Schedule.AfterEmergency == "resume")
			log.Info("configuration reloaded", "slots", len(cfg.Schedule.Slots), "topics", len(cfg.Topics))
		}
	}
	if mediaToo {
		cur := m.config() // the topics of a configuration just reloaded
		known := map[string]bool{}
		for _, t := range cur.Topics {
			known[t.Code] = true
		}
		// The files were put there by whoever runs the station: the
		// audit trail names that OS user.
		im := &library.Importer{Topics: known, Now: time.Now, LibraryDir: m.libraryDir()}
		results, err := m.newCommune(st).Import(ctx, commune.CLIActor(), im, []string{cur.Station.MediaDir}, library.Options{}, nil)
		if err != nil {
			log.Error("importing the media folder", "err", err)
			return
		}
		added := 0
		for _, r := range results {
			switch {
			case r.Err != nil:
				log.Warn("file refused", "path", r.Path, "reason", m.importMessage(r.Err))
			case !r.Existed:
				added++
				log.Info("segment imported (awaiting approval if required)", "id", r.Segment.ID, "title", r.Segment.Title, "topics", r.Segment.Topics)
			}
		}
		log.Info("media folder read", "files", len(results), "new", added)
	}
}
