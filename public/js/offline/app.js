// Offline on every page: registers the service worker (/sw.js), shows "saved for offline, as of
// 16:05" when the page came from the device's cache, and makes "Forget this device" also remove
// what the browser keeps for scripts (caches, IndexedDB, the service worker) before the form is
// sent (the server's Clear-Site-Data answer does the same where the browser supports it).
(function () {
  'use strict';
  var forgotten = document.body.classList.contains('device-forgotten');
  if ('serviceWorker' in navigator && !forgotten) {
    navigator.serviceWorker.addEventListener('message', function (event) {
      if (event.data && event.data.type === 'saved') document.documentElement.setAttribute('data-offline-ready', '1');
    });
    var askToSave = function () {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ type: 'save', url: location.href });
    };
    if (navigator.serviceWorker.controller) askToSave();
    else navigator.serviceWorker.addEventListener('controllerchange', askToSave, { once: true });
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {
      // No service worker (private window, old browser): the site works as a plain website.
    });
  }

  var note = document.getElementById('saved-offline');
  var savedAt = note && note.getAttribute('data-saved-at');
  if (savedAt) {
    var when = new Date(savedAt);
    var lang = document.documentElement.lang === 'en' ? 'en-GB' : document.documentElement.lang || undefined;
    var sameDay = when.toDateString() === new Date().toDateString();
    var text = when.toLocaleString(lang, sameDay
      ? { hour: '2-digit', minute: '2-digit' }
      : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    note.textContent = note.getAttribute('data-text').replace('{time}', text);
    note.hidden = false;
    document.documentElement.setAttribute('data-saved-offline', savedAt);
  }

  /** Removes everything this site keeps in the browser; resolves when done (errors ignored). */
  function forgetEverything() {
    var work = [];
    if (window.caches) work.push(caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); }));
    if (window.indexedDB && indexedDB.databases) {
      work.push(indexedDB.databases().then(function (dbs) {
        return Promise.all(dbs.map(function (db) {
          return new Promise(function (resolve) {
            var request = indexedDB.deleteDatabase(db.name);
            request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
          });
        }));
      }));
    }
    if ('serviceWorker' in navigator) {
      work.push(navigator.serviceWorker.getRegistrations().then(function (regs) { return Promise.all(regs.map(function (r) { return r.unregister(); })); }));
    }
    try { localStorage.clear(); sessionStorage.clear(); } catch (e) { /* storage blocked */ }
    return Promise.all(work.map(function (p) { return p.catch(function () {}); }));
  }
  window.picketForgetEverything = forgetEverything;

  var form = document.getElementById('forget-device');
  if (form) {
    form.addEventListener('submit', function (event) {
      if (form.getAttribute('data-cleared')) return;
      event.preventDefault();
      forgetEverything().then(function () {
        form.setAttribute('data-cleared', '1');
        form.submit();
      });
    });
  }
})();
