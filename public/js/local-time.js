// Shows instants in the viewer's own time zone. The server renders
//   <time datetime="2026-12-10T17:00:00.000Z" data-local-time="datetime">…fallback…</time>
// (data-local-time: "datetime" (default), "time" or "date"), and any element with
// data-local-zone gets the viewer's zone name. Without JavaScript the fallback text stays.
(function () {
  'use strict';
  // English pages use British conventions (16 December, 19:00), as the server does.
  var lang = document.documentElement.lang === 'en' ? 'en-GB' : document.documentElement.lang || undefined;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  var styles = {
    datetime: { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' },
    time: { hour: '2-digit', minute: '2-digit' },
    date: { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' },
  };
  var formats = {};
  function format(kind, date) {
    var key = styles[kind] ? kind : 'datetime';
    if (!formats[key]) formats[key] = new Intl.DateTimeFormat(lang, styles[key]);
    return formats[key].format(date);
  }
  function fill(root) {
    var times = root.querySelectorAll('[data-local-time]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var iso = el.getAttribute('datetime') || el.getAttribute('data-instant');
      var date = iso ? new Date(iso) : null;
      if (!date || isNaN(date.getTime())) continue;
      el.textContent = format(el.getAttribute('data-local-time'), date);
      el.setAttribute('title', zone);
    }
    var zones = root.querySelectorAll('[data-local-zone]');
    for (var j = 0; j < zones.length; j++) zones[j].textContent = zone.replace(/_/g, ' ');
  }
  window.picketLocalTime = { fill: fill };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { fill(document); });
  else fill(document);
})();
