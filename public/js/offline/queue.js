// The queue of actions made offline, as a page shows it. The service worker keeps and sends them
// (sw-queue.js); this script gives each form that may be queued an idempotency key, asks the worker
// to send what waits when the page opens and whenever the connection returns, and shows the list:
// "2 photos waiting to send", which one is being sent, and what became of each.
(function () {
  'use strict';
  // With no connection and no service worker to keep it (a private window, an old browser), a form
  // would end on the browser's error page: say at once that nothing was sent, and keep the input.
  document.querySelectorAll('form[data-t-not-sent]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (navigator.onLine || ('serviceWorker' in navigator && navigator.serviceWorker.controller)) return;
      event.preventDefault();
      var note = form.querySelector('.offline-not-sent');
      if (!note) {
        note = document.createElement('p');
        note.className = 'flash flash-error offline-not-sent';
        note.setAttribute('role', 'alert');
        form.insertBefore(note, form.firstChild);
      }
      note.textContent = form.getAttribute('data-t-not-sent');
    });
  });
  if (!('serviceWorker' in navigator) || document.body.classList.contains('device-forgotten')) return;

  /** A key made on this device, never shown: the server uses it to answer a resent request once. */
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  window.picketNewKey = newKey;

  // A form restored by the back button gets a new key: it is a new RSVP, not a resent one.
  function giveKeys() {
    document.querySelectorAll('input[name="idempotency_key"]').forEach(function (input) { input.value = newKey(); });
  }
  giveKeys();
  window.addEventListener('pageshow', function (event) { if (event.persisted) giveKeys(); });

  var panel = document.getElementById('offline-queue');

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, k) { return values[k] !== undefined ? values[k] : all; });
  }

  function counted(kind, n) {
    var d = panel.dataset;
    var form = new Intl.PluralRules(document.documentElement.lang || undefined).select(n);
    var key = 't' + kind.charAt(0).toUpperCase() + kind.slice(1) + form.charAt(0).toUpperCase() + form.slice(1);
    var other = 't' + kind.charAt(0).toUpperCase() + kind.slice(1) + 'Other';
    return format(d[key] || d[other], { n: n });
  }

  function show(state) {
    if (!panel) return;
    var d = panel.dataset;
    var summary = panel.querySelector('.offline-queue-summary');
    var list = panel.querySelector('.offline-queue-items');
    var send = panel.querySelector('[data-queue-send]');
    var clear = panel.querySelector('[data-queue-clear]');
    panel.hidden = state.waiting.length === 0 && state.results.length === 0;
    document.documentElement.setAttribute('data-queue-waiting', String(state.waiting.length));

    var counts = { rsvps: 0, photos: 0, letters: 0 };
    state.waiting.forEach(function (item) { counts[item.kind + 's']++; });
    var parts = Object.keys(counts).filter(function (k) { return counts[k] > 0; }).map(function (k) { return counted(k, counts[k]); });
    if (state.position) parts.push(format(d.tSendingOf, state.position));
    if (!parts.length && state.results.length) parts.push(state.results.every(function (r) { return r.ok; }) ? d.tAllSent : d.tSomeRefused);
    summary.textContent = parts.join(' · ');

    list.innerHTML = '';
    function row(item, stateText, className) {
      var li = document.createElement('li');
      li.className = 'queue-' + item.kind + ' ' + className;
      li.setAttribute('data-key', item.key);
      li.textContent = format(d['t' + item.kind.charAt(0).toUpperCase() + item.kind.slice(1)], { title: item.label || '#' + item.eventId }) + ': ' + stateText;
      list.appendChild(li);
      return li;
    }
    state.results.forEach(function (r) {
      var li = row(r, (r.ok ? d.tSent : d.tRefused) + ' (' + r.message + ')', r.ok ? 'sent' : 'failed');
      if (r.next) {
        li.appendChild(document.createTextNode(' '));
        var a = document.createElement('a');
        a.href = r.next;
        a.textContent = d.tManage;
        li.appendChild(a);
      }
    });
    state.waiting.forEach(function (item) { row(item, item.sending ? d.tSending : d.tWaiting, item.sending ? 'sending' : 'waiting'); });
    send.hidden = state.waiting.length === 0 || !navigator.onLine;
    clear.hidden = state.results.length === 0 || state.waiting.length > 0;
    retryLater(state);
  }

  // While this page is open and something waits, try again now and then (2 s, doubling to a
  // minute): the connection may be back without the browser saying so, or have failed mid-way.
  var retryDelay = 2000;
  var retryTimer = null;
  function retryLater(state) {
    if (!state.waiting.length) retryDelay = 2000;
    if (retryTimer || state.position || !state.waiting.length) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      tell('queue-send');
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }

  function tell(type, extra) {
    return navigator.serviceWorker.ready.then(function (registration) {
      var message = { type: type };
      Object.keys(extra || {}).forEach(function (k) { message[k] = extra[k]; });
      if (registration.active) registration.active.postMessage(message);
    });
  }

  navigator.serviceWorker.addEventListener('message', function (event) {
    if (event.data && event.data.type === 'queue') show(event.data);
    if (event.data && event.data.type === 'own-kept') document.documentElement.setAttribute('data-own-kept', String(event.data.kept));
  });

  // The manage page of an RSVP: kept on this phone if the RSVP was made from it (the worker knows).
  var own = document.querySelector('[data-own-picket]');
  if (own && navigator.onLine && !document.getElementById('saved-offline').getAttribute('data-saved-at')) {
    tell('keep-own', { url: location.href, eventId: Number(own.getAttribute('data-own-picket')) });
  }
  if (panel) {
    panel.querySelector('[data-queue-send]').addEventListener('click', function () { tell('queue-send'); });
    panel.querySelector('[data-queue-clear]').addEventListener('click', function () { tell('queue-clear'); });
  }
  // The page opened: show what waits, and send it if there is a connection (the "app start").
  tell('queue-state');
  if (navigator.onLine) tell('queue-send');
  window.addEventListener('online', function () {
    retryDelay = 2000;
    tell('queue-send');
  });
  window.addEventListener('offline', function () { tell('queue-state'); });
})();
