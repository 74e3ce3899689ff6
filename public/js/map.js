// The map of pickets: markers from /api/events.geojson, clustered; filters, view and the
// day-of-action clock kept in the address; a list that follows the visible area. Without this
// script the page is still a filter form and a list of links.
(function () {
  'use strict';
  var dataEl = document.getElementById('map-data');
  if (!dataEl || !window.L || !L.markerClusterGroup) return;
  var data = JSON.parse(dataEl.textContent);
  var S = data.strings;
  var LIST_MAX = 100;
  // "Now" is the server's clock, so a page and its feed agree on what is past.
  var clockOffset = Date.parse(data.now) - Date.now();
  function now() { return Date.now() + clockOffset; }

  var plural = new Intl.PluralRules(data.locale);
  function fill(text, vars) {
    return String(text).replace(/\{\{(\w+)\}\}/g, function (_, k) { return vars && k in vars ? vars[k] : ''; });
  }
  function tr(key, vars) { return fill(S[key] || key, vars); }
  function trn(key, count, vars) {
    var text = S[key + '_' + plural.select(count)] || S[key + '_other'] || key;
    return fill(text, Object.assign({ count: count }, vars || {}));
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  // Times: the picket's own zone (with its name) and the viewer's.
  function zoneCity(zone) { return zone.split('/').pop().replace(/_/g, ' '); }
  var timeOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  function inZone(iso, zone) {
    var opts = Object.assign({ timeZone: zone, timeZoneName: 'short' }, timeOptions);
    return new Intl.DateTimeFormat(data.locale, opts).format(new Date(iso)) + ' (' + zoneCity(zone) + ')';
  }
  function inViewerZone(ms) {
    return new Intl.DateTimeFormat(data.locale, Object.assign({ timeZoneName: 'short' }, timeOptions)).format(new Date(ms));
  }
  function clockTime(ms, zone) {
    return new Intl.DateTimeFormat(data.locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(new Date(ms));
  }

  var form = document.getElementById('map-filters');
  var listEl = document.getElementById('map-list-items');
  var countEl = document.getElementById('map-count');
  var dayPanel = document.getElementById('map-day');
  var dayInput = document.getElementById('map-day-time');
  var dayClock = document.getElementById('map-day-clock');
  var daySummary = document.getElementById('map-day-summary');
  var linkTarget = data.embed ? '_blank' : null;

  var map = L.map('map', { worldCopyJump: true, minZoom: 1, maxZoom: 19 }); // maxZoom: clusters need one even without tiles
  // Tiles may not load (offline, blocked); markers, popups, filters and the list do not need them.
  if (window.picketBaseMap) window.picketBaseMap(map);
  if (data.tileUrl) L.tileLayer(data.tileUrl, { attribution: data.tileAttribution, maxZoom: 19 }).addTo(map);
  var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 60 });
  map.addLayer(cluster);
  var hasView = data.view.lat !== null && data.view.lng !== null && data.view.z !== null;
  if (hasView) map.setView([data.view.lat, data.view.lng], data.view.z);
  else map.setView([25, 10], 2);

  var features = [];
  var markers = {};
  var day = { on: Boolean(data.day), start: 0, end: 0, at: 0 };

  // --- filters and address ---------------------------------------------------------------
  var FILTERS = ['campaign', 'when', 'from', 'to', 'kind', 'country', 'day'];
  function currentFilters() {
    var values = {};
    new FormData(form).forEach(function (v, k) { if (v && FILTERS.indexOf(k) >= 0) values[k] = String(v); });
    return values;
  }
  function feedUrl(filters) {
    var q = new URLSearchParams();
    ['campaign', 'kind', 'country'].forEach(function (k) { if (filters[k]) q.set(k, filters[k]); });
    if (filters.day) { q.set('from', filters.day); q.set('to', filters.day); }
    else {
      ['when', 'from', 'to'].forEach(function (k) { if (filters[k]) q.set(k, filters[k]); });
    }
    return '/api/events.geojson' + (q.toString() ? '?' + q.toString() : '');
  }
  function writeAddress() {
    var q = new URLSearchParams(currentFilters());
    var c = map.getCenter();
    q.set('lat', c.lat.toFixed(4));
    q.set('lng', c.lng.toFixed(4));
    q.set('z', String(map.getZoom()));
    if (day.on && day.at) q.set('at', new Date(day.at).toISOString());
    history.replaceState(null, '', location.pathname + '?' + q.toString());
  }

  // --- markers and popups ----------------------------------------------------------------
  function stateOf(f) {
    var p = f.properties;
    if (p.status === 'cancelled') return 'cancelled';
    var start = Date.parse(p.startsAt);
    var end = Date.parse(p.endsAt);
    if (day.on) {
      if (start <= day.at && day.at < end) return 'now';
      return start > day.at ? 'next' : 'ended';
    }
    return end > now() ? 'upcoming' : 'past';
  }
  var LABEL = { upcoming: 'upcoming', past: 'past', cancelled: 'cancelled', now: 'onNow', next: 'next', ended: 'ended' };
  // The words for a state. "On now" means the real now: a picket under way at the slider's time
  // but not at this moment is "on at that time".
  function labelOf(f, state) {
    if (state !== 'now') return tr(LABEL[state]);
    var p = f.properties;
    var t = now();
    return tr(Date.parse(p.startsAt) <= t && t < Date.parse(p.endsAt) ? 'onNow' : 'onAtTime');
  }
  // Shape and glyph differ per state, so colour is never the only signal.
  var GLYPH = { upcoming: '▲', past: '✓', cancelled: '✕', now: '●', next: '▲', ended: '✓' };
  function iconFor(state) {
    return L.divIcon({
      className: 'map-marker map-marker--' + state,
      html: '<span class="map-marker-shape" aria-hidden="true"><span class="map-marker-glyph">' + GLYPH[state] + '</span></span>',
      iconSize: [28, 28], iconAnchor: [14, 14], popupAnchor: [0, -14],
    });
  }

  function popupFor(f) {
    var p = f.properties;
    var state = stateOf(f);
    var rows = [
      el('h3', { class: 'map-popup-title', text: p.title }),
      el('p', { class: 'map-popup-kind' }, [
        el('span', { text: S.kinds[p.kind] || p.kind }), document.createTextNode(' · '),
        el('span', { class: 'map-state map-state--' + state, text: labelOf(f, state) }),
      ]),
      el('dl', { class: 'map-popup-times' }, [
        el('dt', { text: tr('localTime') }), el('dd', { class: 'map-popup-local', text: inZone(p.startsAt, p.timezone) }),
        el('dt', { text: tr('yourTime') }), el('dd', { class: 'map-popup-viewer', text: inViewerZone(Date.parse(p.startsAt)) }),
      ]),
      el('p', { class: 'map-popup-place', text: p.city + ', ' + p.country + (p.campaign ? ' · ' + p.campaign.title : '') }),
    ];
    if (p.approximate) rows.push(el('p', { class: 'map-popup-note', text: tr('approximate') }));
    if (p.demands.length) {
      rows.push(el('p', { class: 'map-popup-label', text: tr('demands') }));
      rows.push(el('ul', { class: 'map-popup-demands' }, p.demands.map(function (d) { return el('li', { text: d }); })));
    }
    rows.push(el('p', { class: 'map-popup-status', text: tr('status') + ': ' + tr('actionStatus_' + p.actionStatus) }));
    rows.push(el('p', { class: 'map-popup-going', text: trn('going', p.going) }));
    if (p.photo) {
      rows.push(el('figure', { class: 'map-popup-photo' }, [
        el('img', { src: p.photo, alt: tr('photoAlt', { title: p.title }), width: '120', loading: 'lazy' }),
        el('figcaption', { text: trn('photos', p.photoCount) }),
      ]));
    }
    if (p.handIn) rows.push(el('p', { class: 'map-popup-handin', text: tr('handIn_' + p.handIn) }));
    var link = el('a', { href: p.url, class: 'map-popup-link', text: tr('openEvent') });
    if (linkTarget) { link.target = linkTarget; link.rel = 'noopener'; }
    rows.push(el('p', {}, [link]));
    return el('div', { class: 'map-popup', 'data-id': String(f.id) }, rows);
  }

  function drawMarkers() {
    cluster.clearLayers();
    markers = {};
    var layers = features.map(function (f) {
      var c = f.geometry.coordinates;
      var state = stateOf(f);
      var marker = L.marker([c[1], c[0]], {
        icon: iconFor(state), title: f.properties.title + ' (' + labelOf(f, state) + ')', alt: f.properties.title,
      });
      marker.feature = f;
      marker.bindPopup(function () { return popupFor(f); }, { maxWidth: 280 });
      markers[f.id] = marker;
      return marker;
    });
    cluster.addLayers(layers);
  }

  // --- the list beside the map ------------------------------------------------------------
  function visible(f) {
    var b = map.getBounds();
    var c = f.geometry.coordinates;
    // The view may show several copies of the world: test each copy of the point.
    return [-360, 0, 360].some(function (shift) { return b.contains([c[1], c[0] + shift]); });
  }
  function sortForList(list) {
    var t = day.on ? day.at : now();
    var rank = { now: 0, next: 1, upcoming: 1, ended: 2, past: 2, cancelled: 3 };
    return list.sort(function (a, b) {
      var ra = rank[stateOf(a)], rb = rank[stateOf(b)];
      if (ra !== rb) return ra - rb;
      var sa = Date.parse(a.properties.startsAt), sb = Date.parse(b.properties.startsAt);
      return ra === 2 && sa < t ? sb - sa : sa - sb;
    });
  }
  function renderList() {
    var inView = sortForList(features.filter(visible));
    listEl.textContent = '';
    inView.slice(0, LIST_MAX).forEach(function (f) {
      var p = f.properties;
      var state = stateOf(f);
      var link = el('a', { href: p.url, text: p.title });
      if (linkTarget) { link.target = linkTarget; link.rel = 'noopener'; }
      var show = el('button', { type: 'button', class: 'link map-show', text: tr('showOnMap') });
      show.addEventListener('click', function () { openMarker(f.id); });
      listEl.appendChild(el('li', { class: 'map-item map-item--' + state, 'data-id': String(f.id) }, [
        link, document.createTextNode(' '),
        el('span', { class: 'badge map-badge map-badge--' + state, text: labelOf(f, state) }),
        el('span', { class: 'map-item-meta', text: (S.kinds[p.kind] || p.kind) + ' · ' + inZone(p.startsAt, p.timezone) + ' · ' + p.city + ', ' + p.country }),
        show,
      ]));
    });
    var text = inView.length ? trn('inView', inView.length) : tr('noneInView');
    if (inView.length > LIST_MAX) text += ' · ' + tr('shownFirst', { count: LIST_MAX });
    countEl.textContent = text;
  }
  function openMarker(id) {
    var marker = markers[id];
    if (!marker) return;
    cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
  }
  var listTimer;
  function scheduleList() { clearTimeout(listTimer); listTimer = setTimeout(renderList, 120); }

  // --- day of action: follow the day across time zones ------------------------------------
  function setupDay() {
    day.on = Boolean(currentFilters().day);
    dayPanel.hidden = !day.on || !features.length;
    if (!day.on || !features.length) return;
    // The control runs from the day's first midnight (far east) to its last (far west).
    var starts = features.map(function (f) { return Date.parse(f.properties.startsAt); });
    var ends = features.map(function (f) { return Date.parse(f.properties.endsAt); });
    if (data.daySpan) { starts.push(Date.parse(data.daySpan.start)); ends.push(Date.parse(data.daySpan.end)); }
    day.start = Math.min.apply(null, starts);
    day.end = Math.max.apply(null, ends);
    var requested = data.at ? Date.parse(data.at) : NaN;
    var t = !isNaN(requested) ? requested : now();
    var firstStart = Math.min.apply(null, features.map(function (f) { return Date.parse(f.properties.startsAt); }));
    if (t < day.start || t > day.end) t = firstStart;
    dayInput.min = '0';
    dayInput.max = String(Math.ceil((day.end - day.start) / 60000));
    dayInput.value = String(Math.round((t - day.start) / 60000));
    day.at = t;
    describeDay();
  }
  function describeDay() {
    dayClock.textContent = tr('dayAt', { time: inViewerZone(day.at), utc: clockTime(day.at, 'UTC') });
    var on = 0, next = null, later = 0;
    features.forEach(function (f) {
      var s = stateOf(f);
      if (s === 'now') on += 1;
      if (s === 'next') {
        later += 1;
        if (!next || Date.parse(f.properties.startsAt) < Date.parse(next.properties.startsAt)) next = f;
      }
    });
    // The counts are those of the slider's moment (as the markers show it); the words say "now"
    // only when that moment is this minute.
    var atNow = Math.abs(day.at - now()) < 60000;
    var text = tr(atNow ? 'daySummaryNow' : 'daySummary', { on: on, next: later });
    if (next) text += '. ' + tr('nextUp', { title: next.properties.title, time: inViewerZone(Date.parse(next.properties.startsAt)) });
    daySummary.textContent = text;
    dayInput.setAttribute('aria-valuetext', dayClock.textContent);
  }
  function restyle() {
    Object.keys(markers).forEach(function (id) {
      var m = markers[id];
      var state = stateOf(m.feature);
      m.setIcon(iconFor(state));
      m.options.title = m.feature.properties.title + ' (' + labelOf(m.feature, state) + ')';
    });
    cluster.refreshClusters();
  }
  dayInput.addEventListener('input', function () {
    day.at = day.start + Number(dayInput.value) * 60000;
    describeDay();
    restyle();
    scheduleList();
  });
  dayInput.addEventListener('change', writeAddress);

  // --- loading ------------------------------------------------------------------------------
  var loadCount = 0;
  function load(fit) {
    var mine = ++loadCount;
    return fetch(feedUrl(currentFilters()), { headers: { Accept: 'application/geo+json' } })
      .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.json(); })
      .then(function (json) {
        if (mine !== loadCount) return;
        features = json.features;
        setupDay();
        drawMarkers();
        if (fit && features.length) map.fitBounds(cluster.getBounds(), { padding: [30, 30], maxZoom: 6 });
        renderList();
        document.documentElement.setAttribute('data-map-ready', String(mine));
      })
      .catch(function () { countEl.textContent = tr('loadFailed'); });
  }

  form.addEventListener('change', function (event) {
    var name = event.target && event.target.name;
    // A new campaign has other days of action: the page itself must change.
    if (name === 'campaign') {
      var q = new URLSearchParams(currentFilters());
      q.delete('day');
      location.assign(location.pathname + '?' + q.toString());
      return;
    }
    if (name === 'from' || name === 'to') form.querySelector('input[name="when"][value=""]').checked = true;
    if (name === 'when') { form.elements.from.value = ''; form.elements.to.value = ''; }
    data.at = null;
    writeAddress();
    load(false);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    writeAddress();
    load(false);
  });
  map.on('moveend', function () { writeAddress(); scheduleList(); });
  load(!hasView);
})();
