// Faces masked before a photo leaves the phone. When a photo is chosen, a worker finds the faces
// on this device (public/js/face-worker.js); each gets a solid box the sender can switch off,
// move, resize, or add to by drawing. upload.js sends the boxes with the photo and the server
// paints them into every size it keeps. Moderators get the same editor, with the same detection,
// before approving. Without this script the upload works unmasked and moderation offers a grid.
(function () {
  'use strict';

  // A face box covers the face only; hair and ears identify people too.
  var GROW = { left: 0.2, right: 0.2, top: 0.35, bottom: 0.15 };
  var MIN_SIZE = 0.01;

  function clamp(v) { return Math.max(0, Math.min(1, v)); }
  function round(v) { return Math.round(v * 10000) / 10000; }
  function format(text, values) {
    return (text || '').replace(/\{\{\s*(\w+)\s*\}\}/g, function (_, k) { return values[k] !== undefined ? values[k] : ''; });
  }

  // One worker for the page, started when the first picture needs it.
  var worker = null;
  var waiting = {};
  var nextId = 1;
  function detectFaces(source) {
    return createImageBitmap(source, { imageOrientation: 'from-image' }).then(function (bitmap) {
      if (!worker) {
        worker = new Worker('/public/js/face-worker.js', { type: 'module' });
        worker.addEventListener('message', function (e) {
          var done = waiting[e.data.id];
          delete waiting[e.data.id];
          if (done) done(e.data);
        });
        worker.addEventListener('error', function (e) {
          Object.keys(waiting).forEach(function (id) { waiting[id]({ error: e.message || 'worker failed' }); delete waiting[id]; });
        });
      }
      var id = nextId++;
      return new Promise(function (resolve, reject) {
        waiting[id] = function (answer) { if (answer.error) reject(new Error(answer.error)); else resolve(answer); };
        worker.postMessage({ id: id, bitmap: bitmap }, [bitmap]);
      });
    });
  }

  function grown(f) {
    var x = clamp(f.x - f.w * GROW.left);
    var y = clamp(f.y - f.h * GROW.top);
    return { x: x, y: y, w: clamp(f.x + f.w * (1 + GROW.right)) - x, h: clamp(f.y + f.h * (1 + GROW.bottom)) - y };
  }

  /**
   * Boxes over one picture. `frame` holds the <img> and is positioned; `t` holds the labels.
   * Tap a box to switch it off or on, drag it to move, drag its corner to resize, drag on the
   * picture to draw a new one. Calls onChange() after each change.
   */
  function Editor(frame, t, onChange) {
    var img = frame.querySelector('img');
    var boxes = [];
    var action = null;
    frame.classList.add('mask-ready');

    function point(e) {
      var r = img.getBoundingClientRect();
      return { x: clamp((e.clientX - r.left) / r.width), y: clamp((e.clientY - r.top) / r.height) };
    }
    function place(box) {
      var el = box.el;
      el.style.left = box.x * 100 + '%';
      el.style.top = box.y * 100 + '%';
      el.style.width = box.w * 100 + '%';
      el.style.height = box.h * 100 + '%';
      el.classList.toggle('mask-off', !box.on);
      el.setAttribute('aria-pressed', box.on ? 'true' : 'false');
    }
    function add(r, found) {
      var el = document.createElement('button');
      el.type = 'button';
      el.className = 'mask-box' + (found ? ' mask-found' : '');
      el.setAttribute('aria-label', found ? t.found : t.drawn);
      var handle = document.createElement('span');
      handle.className = 'mask-handle';
      el.appendChild(handle);
      var box = { x: r.x, y: r.y, w: r.w, h: r.h, on: true, found: found, el: el };
      // Keyboard: Enter or Space toggles (pointer taps are handled below, so ignore their click).
      el.addEventListener('click', function (e) {
        if (e.detail !== 0) return;
        box.on = !box.on;
        place(box);
        onChange();
      });
      frame.appendChild(el);
      boxes.push(box);
      place(box);
      return box;
    }

    frame.addEventListener('pointerdown', function (e) {
      if (e.button !== undefined && e.button !== 0) return;
      e.preventDefault();
      frame.setPointerCapture(e.pointerId);
      var p = point(e);
      var target = boxes.filter(function (b) { return b.el === e.target || b.el === e.target.parentNode; })[0];
      if (target) {
        var resizing = e.target.classList.contains('mask-handle');
        action = { kind: resizing ? 'resize' : 'move', box: target, start: p, from: { x: target.x, y: target.y, w: target.w, h: target.h }, moved: false };
      } else {
        action = { kind: 'draw', start: p, box: add({ x: p.x, y: p.y, w: 0, h: 0 }, false), moved: false };
      }
    });
    frame.addEventListener('pointermove', function (e) {
      if (!action) return;
      var p = point(e);
      var dx = p.x - action.start.x;
      var dy = p.y - action.start.y;
      if (Math.abs(dx) > 0.005 || Math.abs(dy) > 0.005) action.moved = true;
      var b = action.box;
      if (action.kind === 'draw') {
        b.x = Math.min(p.x, action.start.x); b.y = Math.min(p.y, action.start.y);
        b.w = Math.abs(dx); b.h = Math.abs(dy);
      } else if (action.kind === 'move') {
        b.x = clamp(Math.min(action.from.x + dx, 1 - b.w));
        b.y = clamp(Math.min(action.from.y + dy, 1 - b.h));
      } else {
        b.w = Math.max(MIN_SIZE, Math.min(action.from.w + dx, 1 - b.x));
        b.h = Math.max(MIN_SIZE, Math.min(action.from.h + dy, 1 - b.y));
      }
      place(b);
    });
    function finish() {
      if (!action) return;
      var a = action;
      action = null;
      if (a.kind === 'draw' && (a.box.w < MIN_SIZE || a.box.h < MIN_SIZE)) {
        a.box.el.remove();
        boxes.splice(boxes.indexOf(a.box), 1);
        return;
      }
      if (a.kind !== 'draw' && !a.moved) a.box.on = !a.box.on; // a tap
      place(a.box);
      onChange();
    }
    frame.addEventListener('pointerup', finish);
    frame.addEventListener('pointercancel', finish);

    return {
      addFound: function (faces) { faces.forEach(function (f) { add(grown(f), true); }); onChange(); },
      setFound: function (on) { boxes.forEach(function (b) { if (b.found) { b.on = on; place(b); } }); onChange(); },
      clear: function () { boxes.forEach(function (b) { b.el.remove(); }); boxes = []; onChange(); },
      counts: function () {
        return {
          found: boxes.filter(function (b) { return b.found; }).length,
          masked: boxes.filter(function (b) { return b.on; }).length,
        };
      },
      regions: function () {
        return boxes.filter(function (b) { return b.on; }).map(function (b) {
          var x = round(clamp(b.x));
          var y = round(clamp(b.y));
          return { x: x, y: y, w: Math.max(0.0001, round(Math.min(b.w, 1 - x))), h: Math.max(0.0001, round(Math.min(b.h, 1 - y))) };
        });
      },
    };
  }

  function texts(el) {
    var d = el.dataset;
    return {
      looking: d.tLooking, found: d.tFound, drawn: d.tDrawn, none: d.tNone, failed: d.tFailed,
      masked: d.tMasked, unreadable: d.tUnreadable, photo: d.tPhoto,
    };
  }

  function describe(status, t, editor, state) {
    if (state === 'looking') status.textContent = t.looking;
    else if (state === 'failed') status.textContent = t.failed;
    else if (state === 'unreadable') status.textContent = t.unreadable;
    else {
      var c = editor.counts();
      status.textContent = c.found ? format(t.masked, { found: c.found, masked: c.masked }) : t.none;
    }
  }

  // The upload form: an editor per chosen photo; upload.js asks maskFor(file) before sending it.
  function setupUpload(form) {
    var area = form.querySelector('[data-mask-photos]');
    if (!area || typeof Worker === 'undefined' || typeof createImageBitmap === 'undefined') return;
    var t = texts(area);
    var list = area.querySelector('.mask-list');
    var all = area.querySelector('[data-mask-all]');
    var photos = []; // { file, editor, done: Promise }

    function rebuild() {
      photos.forEach(function (p) { URL.revokeObjectURL(p.url); });
      photos = [];
      list.innerHTML = '';
      var files = [];
      form.querySelectorAll('input[type="file"]').forEach(function (input) {
        Array.prototype.forEach.call(input.files, function (f) { if (/^image\//.test(f.type)) files.push(f); });
      });
      area.hidden = files.length === 0;
      files.forEach(function (file, i) {
        var li = document.createElement('li');
        var frame = document.createElement('div');
        frame.className = 'mask-editor';
        var img = document.createElement('img');
        img.alt = format(t.photo, { n: i + 1 });
        img.draggable = false;
        var url = URL.createObjectURL(file);
        img.src = url;
        frame.appendChild(img);
        var status = document.createElement('p');
        status.className = 'mask-status';
        status.setAttribute('role', 'status');
        li.append(frame, status);
        list.appendChild(li);
        var state = 'looking';
        var editor = Editor(frame, t, function () { describe(status, t, editor, state); });
        describe(status, t, editor, state);
        var started = performance.now();
        var done = new Promise(function (resolve) { img.addEventListener('load', resolve); img.addEventListener('error', resolve); })
          .then(function () {
            if (!img.naturalWidth) { state = 'unreadable'; return; }
            return detectFaces(file).then(function (answer) {
              state = 'done';
              li.dataset.faces = String(answer.faces.length);
              // How long it took, for tests and curious readers: detection alone, and with loading the model.
              li.dataset.detectMs = String(answer.ms);
              li.dataset.totalMs = String(Math.round(performance.now() - started));
              li.dataset.backend = answer.backend;
              editor.addFound(answer.faces);
              if (all && !all.checked) editor.setFound(false);
            });
          })
          .catch(function () { state = 'failed'; })
          .then(function () { li.dataset.state = state; describe(status, t, editor, state); });
        photos.push({ file: file, editor: editor, done: done, url: url });
      });
    }

    form.querySelectorAll('input[type="file"]').forEach(function (input) { input.addEventListener('change', rebuild); });
    if (all) all.addEventListener('change', function () { photos.forEach(function (p) { p.editor.setFound(all.checked); }); });
    form.picketMasks = {
      /** The boxes to send with `file` once its faces are found; null for a file without an editor. */
      maskFor: function (file) {
        var photo = photos.filter(function (p) { return p.file === file; })[0];
        if (!photo) return Promise.resolve(null);
        return photo.done.then(function () { return photo.editor.regions(); });
      },
    };
  }

  // Moderation: the same detection on the stored picture; found faces come pre-marked.
  function setupModeration(form) {
    var frame = form.querySelector('[data-mask-editor]');
    if (!frame) return;
    var t = texts(form);
    var input = form.querySelector('[data-regions]');
    var submit = form.querySelector('[data-mask-submit]');
    var status = form.querySelector('.mask-status');
    var img = frame.querySelector('img');
    var state = 'done';
    // The grid is for pages without a script; the drawn boxes replace it.
    form.querySelectorAll('.mask-grid input').forEach(function (cell) { cell.disabled = true; });
    var editor = Editor(frame, t, function () {
      var regions = editor.regions();
      input.value = regions.length ? JSON.stringify(regions) : '';
      submit.disabled = regions.length === 0;
      if (status) describe(status, t, editor, state);
    });
    submit.disabled = true;
    if (!form.hasAttribute('data-detect') || typeof Worker === 'undefined' || typeof createImageBitmap === 'undefined') return;
    state = 'looking';
    if (status) describe(status, t, editor, state);
    var loaded = img.complete ? Promise.resolve() : new Promise(function (resolve) { img.addEventListener('load', resolve); img.addEventListener('error', resolve); });
    loaded
      .then(function () { return fetch(img.currentSrc || img.src, { credentials: 'same-origin' }); })
      .then(function (res) { return res.blob(); })
      .then(detectFaces)
      .then(function (answer) {
        state = 'done';
        form.dataset.faces = String(answer.faces.length);
        editor.addFound(answer.faces);
      })
      .catch(function () { state = 'failed'; if (status) describe(status, t, editor, state); })
      .then(function () { form.dataset.state = state; });
  }

  document.querySelectorAll('form[data-upload]').forEach(setupUpload);
  document.querySelectorAll('form[data-mask-form]').forEach(setupModeration);
})();
