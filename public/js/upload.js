// Upload with a progress bar per file. Each file goes in its own request, so one refused photo
// does not lose the others and each bar is true. A photo waits for its face masks (faces.js)
// and they travel with it. Each request carries an idempotency key made here, the same for every
// attempt, so a resent file is stored once; with no connection, the service worker keeps it on the
// phone and sends it later (offline/sw-queue.js), and the row says so. Without this script the
// form posts as usual.
(function () {
  'use strict';

  function format(text, values) {
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ''; });
  }

  function setup(form) {
    var d = form.dataset;
    var list = form.querySelector('.upload-progress');
    var result = form.querySelector('.upload-result');
    var letterOnly = form.querySelector('.upload-letter-only');
    var button = form.querySelector('button[type="submit"]');

    function kind() {
      var checked = form.querySelector('input[name="kind"]:checked');
      return checked ? checked.value : 'photo';
    }
    function showKind() {
      if (letterOnly) letterOnly.hidden = kind() !== 'letter';
    }
    form.querySelectorAll('input[name="kind"]').forEach(function (r) { r.addEventListener('change', showKind); });
    showKind();

    function row(label) {
      var li = document.createElement('li');
      var name = document.createElement('span');
      name.className = 'upload-file';
      name.textContent = label;
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', label);
      var state = document.createElement('span');
      state.className = 'upload-state';
      state.textContent = d.tWaiting;
      li.append(name, bar, state);
      list.appendChild(li);
      return { li: li, bar: bar, state: state };
    }

    function send(file, ui, masks, key) {
      return new Promise(function (resolve) {
        var data = new FormData();
        // The token first: the server reads it after the whole body.
        data.append('_csrf', form.querySelector('input[name="_csrf"]').value);
        ['kind', 'caption', 'name', 'letter_text', 'consent'].forEach(function (field) {
          var input = form.querySelector('[name="' + field + '"]' + (field === 'kind' ? ':checked' : ''));
          if (!input) return;
          if (input.type === 'checkbox') { if (input.checked) data.append(field, 'on'); return; }
          data.append(field, input.value);
        });
        if (masks) data.append('masks', JSON.stringify([masks]));
        if (d.queueLabel) data.append('queue_label', d.queueLabel);
        if (file) data.append('files', file);
        var xhr = new XMLHttpRequest();
        xhr.open('POST', form.action);
        xhr.setRequestHeader('Accept', 'application/json');
        if (key) xhr.setRequestHeader('Idempotency-Key', key);
        xhr.upload.addEventListener('progress', function (e) {
          if (e.lengthComputable) ui.bar.value = Math.round((e.loaded / e.total) * 100);
          ui.state.textContent = d.tSending;
        });
        xhr.addEventListener('load', function () {
          // A proxy's "bad gateway" or "back soon" is the connection too, not a refusal.
          if (xhr.status === 0 || xhr.status === 502 || xhr.status === 503 || xhr.status === 504) return connectionLost();
          var body = {};
          try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
          var ok = xhr.status >= 200 && xhr.status < 300;
          ui.bar.value = 100;
          if (xhr.status === 202 && body.queued) {
            ui.li.className = 'upload-queued';
            ui.state.textContent = d.tQueued;
            return resolve('queued');
          }
          ui.li.className = ok ? 'upload-ok' : 'upload-failed';
          ui.state.textContent = ok ? d.tDone : d.tFailed + ': ' + (body.error || xhr.status);
          resolve(ok ? 'ok' : 'refused');
        });
        // The file never arrived: say so, keep it, and offer to send it again.
        function connectionLost() {
          ui.li.className = 'upload-retry';
          ui.state.textContent = d.tConnection;
          var again = document.createElement('button');
          again.type = 'button';
          again.className = 'secondary upload-again';
          again.textContent = d.tRetry;
          again.addEventListener('click', function () {
            again.remove();
            ui.state.textContent = d.tWaiting;
            send(file, ui, masks, key).then(function (outcome) { if (outcome !== 'network') updateResult(); });
          });
          ui.li.appendChild(again);
          resolve('network');
        }
        xhr.addEventListener('error', connectionLost);
        xhr.addEventListener('abort', connectionLost);
        xhr.addEventListener('timeout', connectionLost);
        xhr.send(data);
      });
    }

    // The summary under the list, from what each row says now (a retry may change it).
    function updateResult() {
      var rows = Array.prototype.slice.call(list.children);
      var waiting = rows.some(function (li) { return li.className === 'upload-retry'; });
      var refused = rows.some(function (li) { return li.className === 'upload-failed'; });
      var queued = rows.some(function (li) { return li.className === 'upload-queued'; });
      var allOk = !waiting && !refused;
      result.textContent = !allOk ? (waiting ? d.tConnectionSome : d.tSomeFailed) : queued ? d.tAllQueued : d.tAllDone;
      result.className = 'upload-result ' + (allOk ? 'upload-result-ok' : 'upload-result-failed');
      if (allOk) {
        form.querySelectorAll('input[type="file"]').forEach(function (input) { input.value = ''; });
        var typedText = form.querySelector('[name="letter_text"]');
        if (typedText) typedText.value = '';
      }
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var files = [];
      form.querySelectorAll('input[type="file"]').forEach(function (input) {
        Array.prototype.forEach.call(input.files, function (f) { files.push(f); });
      });
      var isLetter = kind() === 'letter';
      var typed = form.querySelector('[name="letter_text"]');
      if (!files.length && !(isLetter && typed && typed.value.trim())) {
        result.textContent = d.tNothing;
        return;
      }
      list.innerHTML = '';
      list.hidden = false;
      result.textContent = '';
      button.disabled = true;
      var jobs = (files.length ? files : [null]).map(function (file, i) {
        var label = isLetter ? d.tLetter : format(d.tPhoto, { n: i + 1 });
        var ui = row(label);
        // Refuse at once what the server would refuse after a long upload.
        if (file && file.size > Number(d.maxBytes)) {
          ui.li.className = 'upload-failed';
          ui.state.textContent = d.tFailed + ': ' + d.tTooLarge;
          return function () { return Promise.resolve('refused'); };
        }
        var key = window.picketNewKey ? window.picketNewKey() : null;
        return function () {
          var masks = file && form.picketMasks ? form.picketMasks.maskFor(file) : Promise.resolve(null);
          return masks.then(function (m) { return send(file, ui, m, key); });
        };
      });
      // Two at a time: quick on a good connection, gentle on a phone's.
      var next = 0;
      function worker() {
        if (next >= jobs.length) return Promise.resolve();
        var i = next++;
        return jobs[i]().then(function () { return worker(); });
      }
      Promise.all([worker(), worker()]).then(function () {
        button.disabled = false;
        updateResult();
      });
    });
  }

  document.querySelectorAll('form[data-upload]').forEach(setup);
})();
