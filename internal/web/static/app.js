// The operator app's small script: state changes go to the JSON API with
// the session's CSRF token; the On-air page listens to Server-Sent Events.
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : '';
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || 'vi';
  function t(vi, en) { return lang === 'en' ? en : vi; }

  function flash(msg, bad) {
    var el = document.getElementById('flash');
    if (!el) { return; }
    el.textContent = msg;
    el.className = bad ? 'flash bad' : 'flash';
    el.hidden = false;
    window.scrollTo(0, 0);
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) { throw new Error(data.error || res.statusText); }
        return data;
      });
    });
  }

  function reloadWith(msg) {
    sessionStorage.setItem('flash', msg);
    location.reload();
  }
  var pending = sessionStorage.getItem('flash');
  if (pending) { sessionStorage.removeItem('flash'); document.addEventListener('DOMContentLoaded', function () { flash(pending); }); }

  document.addEventListener('click', function (ev) {
    var b = ev.target.closest('button');
    if (!b) { return; }
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) { ev.preventDefault(); return; }
    if (b.dataset.approve) {
      api('POST', '/api/segments/' + b.dataset.approve + '/approve').then(function () {
        reloadWith(t('Đã phê duyệt bản tin #', 'Approved segment #') + b.dataset.approve);
      }).catch(function (e) { flash(e.message, true); });
    } else if (b.dataset.retire) {
      api('POST', '/api/segments/' + b.dataset.retire + '/retire').then(function () {
        reloadWith(t('Đã gỡ bản tin #', 'Retired segment #') + b.dataset.retire);
      }).catch(function (e) { flash(e.message, true); });
    } else if (b.dataset.control) {
      api('POST', '/api/control/' + b.dataset.control).then(function (d) {
        flash(d.message || t('Đã thực hiện', 'Done'));
      }).catch(function (e) { flash(e.message, true); });
    } else if (b.dataset.userChange) {
      api('POST', '/api/users/' + encodeURIComponent(b.dataset.name) + '/' + b.dataset.userChange).then(function () {
        reloadWith(t('Đã lưu tài khoản ', 'Saved account ') + b.dataset.name);
      }).catch(function (e) { flash(e.message, true); });
    } else if (b.dataset.pinDay) {
      var pf = document.getElementById('pin-form');
      if (pf) {
        pf.elements.day.value = b.dataset.pinDay;
        pf.elements.slot.value = b.dataset.pinSlot;
        pf.scrollIntoView();
        pf.elements.segment_id.focus();
      }
    } else if (b.dataset.unpin) {
      api('POST', '/api/schedule/unpin', { segment_id: +b.dataset.unpin, day: b.dataset.day, slot: b.dataset.slot }).then(function () {
        reloadWith(t('Đã bỏ ghim', 'Unpinned'));
      }).catch(function (e) { flash(e.message, true); });
    }
  });

  // dd/mm/yyyy (as typed) to the API's YYYY-MM-DD; anything else unchanged.
  function isoDay(v) {
    var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(v || '');
    return m ? m[3] + '-' + ('0' + m[2]).slice(-2) + '-' + ('0' + m[1]).slice(-2) : v;
  }

  // Pin form.
  var pin = document.getElementById('pin-form');
  if (pin) {
    pin.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var f = new FormData(pin);
      api('POST', '/api/schedule/pin', { segment_id: +f.get('segment_id'), day: isoDay(f.get('day')), slot: f.get('slot') }).then(function () {
        reloadWith(t('Đã ghim', 'Pinned'));
      }).catch(function (e) { flash(e.message, true); });
    });
  }

  // Settings: slots and topic targets, written to config.yaml.
  var settings = document.getElementById('settings-form');
  if (settings) {
    settings.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var slots = Array.prototype.map.call(settings.querySelectorAll('tr[data-slot]'), function (tr) {
        var time = tr.querySelector('[name=time]');
        return { name: tr.dataset.slot, time: time ? time.value : '', length_min: tr.querySelector('[name=length_min]').value, days_off: tr.querySelector('[name=days_off]').value };
      }).filter(function (s) { return s.time !== ''; });
      var topics = Array.prototype.map.call(settings.querySelectorAll('tr[data-topic]'), function (tr) {
        return { code: tr.dataset.topic, airings: tr.querySelector('[name=airings]').value, minutes: tr.querySelector('[name=minutes]').value };
      });
      api('POST', '/api/settings', { slots: slots, topics: topics }).then(function (d) {
        flash(d.message);
      }).catch(function (e) { flash(e.message, true); });
    });
  }

  // Refuse (with the reason) and edit before approval.
  document.addEventListener('submit', function (ev) {
    var f = ev.target;
    if (f.dataset.reject) {
      ev.preventDefault();
      api('POST', '/api/segments/' + f.dataset.reject + '/reject', { reason: f.elements.reason.value }).then(function () {
        reloadWith(t('Đã từ chối bản tin #', 'Refused segment #') + f.dataset.reject);
      }).catch(function (e) { flash(e.message, true); });
    } else if (f.dataset.password) {
      ev.preventDefault();
      api('POST', '/api/users/' + encodeURIComponent(f.dataset.password) + '/password', { password: f.elements.password.value }).then(function () {
        reloadWith(t('Đã đặt lại mật khẩu của ', 'New password set for ') + f.dataset.password + t(' — người đó cần đăng nhập lại.', ' — they must log in again.'));
      }).catch(function (e) { flash(e.message, true); });
    } else if (f.id === 'add-user-form') {
      ev.preventDefault();
      var el = f.elements;
      api('POST', '/api/users', { name: el.name.value, full_name: el.full_name.value, job_title: el.job_title.value, role: el.role.value, password: el.password.value }).then(function () {
        reloadWith(t('Đã tạo tài khoản ', 'Created account ') + el.name.value);
      }).catch(function (e) { flash(e.message, true); });
    } else if (f.dataset.edit) {
      ev.preventDefault();
      var topics = Array.prototype.map.call(f.querySelectorAll('input[name=topic]:checked'), function (c) { return c.value; });
      api('POST', '/api/segments/' + f.dataset.edit + '/edit', {
        title: f.elements.title.value, topics: topics, valid_from: f.elements.valid_from.value,
        valid_until: f.elements.valid_until.value, priority: f.elements.priority.value
      }).then(function () {
        reloadWith(t('Đã lưu bản tin #', 'Saved segment #') + f.dataset.edit);
      }).catch(function (e) { flash(e.message, true); });
    }
  });

  // Play now / emergency.
  var play = document.getElementById('play-form');
  if (play) {
    play.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var btn = ev.submitter || document.getElementById('play-now');
      var ids = Array.prototype.map.call(play.querySelectorAll('input[name=id]:checked'), function (c) { return +c.value; });
      if (ids.length === 0) { flash(t('Chưa chọn bản tin nào.', 'No segment chosen.'), true); return; }
      if (!window.confirm(btn.dataset.question)) { return; }
      api('POST', '/api/play', { ids: ids, emergency: btn.value === 'emergency' }).then(function () {
        location.href = '/now';
      }).catch(function (e) { flash(e.message, true); });
    });
  }

  // Uploads: one request per file, each with its progress bar and outcome.
  var up = document.getElementById('upload-form');
  if (up) {
    up.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var input = document.getElementById('upload-files');
      var list = document.getElementById('upload-list');
      var max = +up.dataset.max;
      var fields = new FormData(up);
      fields.delete('file');
      if (!fields.getAll('topic').length) { flash(t('Chọn ít nhất một lĩnh vực.', 'Choose at least one topic.'), true); return; }
      var files = Array.prototype.slice.call(input.files);
      var left = files.length, ok = 0;
      files.forEach(function (file) {
        var li = document.createElement('li');
        var name = document.createElement('span');
        name.textContent = file.name + ' ';
        var bar = document.createElement('progress');
        bar.max = 100; bar.value = 0;
        var out = document.createElement('div');
        li.appendChild(name); li.appendChild(bar); li.appendChild(out);
        list.appendChild(li);
        function finish(msg, good) {
          out.textContent = msg;
          out.className = good ? 'done' : 'refused';
          bar.className = good ? 'ok' : 'refused';
          if (!good) { bar.value = 100; }
          li.dataset.outcome = good ? 'ok' : 'refused';
          if (good) { ok++; }
          if (--left === 0 && ok > 0) {
            var msg = t('Đã nạp ', 'Loaded ') + ok + '/' + files.length + t(' tệp.', ' files.');
            flash(msg);
            // Every file taken: show the list with them; else keep the reasons on screen.
            if (ok === files.length) { setTimeout(function () { reloadWith(msg + ' ' + (up.dataset.next || '')); }, 2500); }
          }
        }
        if (file.size > max) {
          finish(t('Bị từ chối: tệp quá lớn, giới hạn ', 'Refused: file too large, the limit is ') + Math.round(max / 1048576) + ' MB', false);
          return;
        }
        var fd = new FormData();
        fields.forEach(function (v, k) { fd.append(k, v); });
        fd.append('file', file, file.name);
        var xhr = new XMLHttpRequest();
        xhr.open('POST', '/api/segments');
        xhr.setRequestHeader('X-CSRF-Token', csrf);
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = 100 * e.loaded / e.total; } };
        xhr.onload = function () {
          var data;
          try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
          if (Array.isArray(data) && data[0]) {
            var r = data[0];
            if (r.ok) {
              bar.value = 100;
              if (r.first_airing) { up.dataset.next = r.first_airing; }
              finish((r.existed ? t('Đã có sẵn: #', 'Already loaded: #') : t('Đã nạp: #', 'Loaded: #')) + r.segment.id + ' ' + r.segment.title +
                (r.first_airing ? '. ' + r.first_airing : ''), true);
            } else {
              finish(t('Bị từ chối: ', 'Refused: ') + r.error, false);
            }
          } else {
            finish(t('Bị từ chối: ', 'Refused: ') + (data.error || xhr.statusText), false);
          }
        };
        xhr.onerror = function () { finish(t('Tải lên bị gián đoạn — không có gì được lưu.', 'Upload interrupted — nothing was kept.'), false); };
        xhr.send(fd);
      });
    });
  }

  // On air: live over Server-Sent Events.
  var onStatus = null;
  var onair = document.getElementById('onair');
  if (onair) {
    var status = JSON.parse(onair.dataset.status || '{}');
    var received = Date.now();
    function mmss(ms) {
      var s = Math.max(0, Math.round(ms / 1000));
      return Math.floor(s / 60) + ':' + ('0' + (s % 60)).slice(-2);
    }
    function text(id, v) { var el = document.getElementById(id); if (el) { el.textContent = v; } }
    function draw() {
      var a = status.on_air;
      if (a) {
        var elapsed = Math.min(a.duration_ms, a.elapsed_ms + (Date.now() - received));
        text('onair-state', t('ĐANG PHÁT', 'ON AIR'));
        text('onair-title', a.title);
        text('onair-topics', a.topics_text || '');
        text('onair-slot', a.slot_title || '');
        text('onair-sep', ' · ');
        text('onair-elapsed', mmss(elapsed));
        text('onair-remaining', mmss(a.duration_ms - elapsed));
        document.getElementById('onair-bar').style.width = (100 * elapsed / a.duration_ms) + '%';
      } else {
        text('onair-state', t('Không phát', 'Off air'));
        text('onair-title', '—');
        text('onair-topics', ''); text('onair-slot', ''); text('onair-sep', '');
        text('onair-elapsed', '0:00'); text('onair-remaining', '0:00');
        document.getElementById('onair-bar').style.width = '0%';
      }
      var ok = status.running && status.audio_ok;
      text('audio-state', ok ? t('Loa đang hoạt động', 'Loudspeakers working') : '⚠ ' + t('LOA KHÔNG PHÁT — kiểm tra card âm thanh, dây nối', 'LOUDSPEAKERS SILENT — check the sound card and cables'));
      var as = document.getElementById('audio-state'); if (as) { as.className = ok ? 'ok' : 'dead-text'; }
      text('audio-detail', t('Đầu ra: ', 'Output: ') + (status.output || '—') + (status.problem ? ' — ' + status.problem : ''));
      var ls = document.getElementById('listeners');
      if (ls) { ls.hidden = !status.listeners_text; ls.textContent = status.listeners_text || ''; }
      var full = document.getElementById('diskfull');
      if (full) {
        full.hidden = !status.disk_full;
        if (status.disk_full) { full.textContent = status.disk_full_text; }
      }
    }
    function drawNext() {
      var ol = document.getElementById('next-list');
      ol.textContent = '';
      (status.next || []).forEach(function (n) {
        var li = document.createElement('li');
        li.textContent = n.starts_at.slice(11, 16) + '  ' + n.title;
        ol.appendChild(li);
      });
      if (!ol.children.length) { var li = document.createElement('li'); li.textContent = '—'; ol.appendChild(li); }
      text('next-slot', status.next_slot_text ? '(' + status.next_slot_text + ')' : '');
    }
    // Each zone's row (the table shows when there are several zones).
    function drawZones() {
      (status.zones || []).forEach(function (z) {
        var row = document.querySelector('#zones-body tr[data-zone="' + z.code + '"]');
        if (!row) { return; }
        var on = row.querySelector('.zone-onair');
        on.textContent = z.on_air ? '▶ ' + z.on_air.title + (z.on_air.slot_title ? ' (' + z.on_air.slot_title + ')' : '') : t('Không phát', 'Off air');
        var au = row.querySelector('.zone-audio');
        au.className = 'zone-audio ' + (z.audio_ok ? 'ok' : 'dead-text');
        au.textContent = (z.audio_ok ? t('hoạt động', 'working') : '⚠ ' + t('KHÔNG PHÁT', 'SILENT') + (z.problem ? ' — ' + z.problem : '')) + ' ' + (z.output || '');
        row.querySelector('.zone-next').textContent = z.next_slot_text || '';
      });
    }
    draw(); drawNext();
    setInterval(draw, 1000);
    onStatus = function (st) {
      status = st; received = Date.now();
      draw(); drawNext(); drawZones();
      text('live-state', t('Cập nhật trực tiếp — ', 'Live — ') + new Date().toLocaleTimeString(lang === 'en' ? 'en-GB' : 'vi-VN'));
    };
  }

  // The status bar on every page: loudspeakers heard or not, what is on air.
  var airbar = document.getElementById('airbar');
  if ((airbar || onStatus) && window.EventSource) {
    var es = new EventSource('/api/events');
    es.addEventListener('status', function (e) {
      var st = JSON.parse(e.data);
      if (airbar && st.air) {
        airbar.className = 'airbar ' + (st.air.ok ? 'ok' : 'dead');
        airbar.dataset.ok = st.air.ok ? 'true' : 'false';
        document.getElementById('airbar-text').textContent = (st.air.ok ? '● ' : '⚠ ') + st.air.text;
        document.getElementById('airbar-onair').textContent = st.air.on_air ? '▶ ' + st.air.on_air : '';
      }
      if (onStatus) { onStatus(st); }
    });
    es.onerror = function () {
      var ls = document.getElementById('live-state');
      if (ls) { ls.textContent = t('Mất kết nối, đang thử lại…', 'Connection lost, retrying…'); }
    };
  }
})();
