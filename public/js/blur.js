// Marking areas to blur on a moderation preview: drag with a mouse, finger or pen to draw
// rectangles; their positions (fractions of the picture) go to the server, which blurs them.
(function () {
  'use strict';

  function clamp(v) { return Math.max(0, Math.min(1, v)); }

  function setup(editor) {
    var img = editor.querySelector('img');
    var form = editor.nextElementSibling;
    if (!img || !form || !form.hasAttribute('data-blur-form')) return;
    var input = form.querySelector('[data-regions]');
    var submit = form.querySelector('[data-blur-submit]');
    var clear = form.querySelector('[data-blur-clear]');
    var regions = [];
    var start = null;
    var drawing = null;
    editor.classList.add('blur-ready');

    function point(e) {
      var box = img.getBoundingClientRect();
      return { x: clamp((e.clientX - box.left) / box.width), y: clamp((e.clientY - box.top) / box.height) };
    }
    function place(el, r) {
      el.style.left = r.x * 100 + '%';
      el.style.top = r.y * 100 + '%';
      el.style.width = r.w * 100 + '%';
      el.style.height = r.h * 100 + '%';
    }
    function rect(a, b) {
      return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
    }
    function update() {
      input.value = regions.length ? JSON.stringify(regions) : '';
      submit.disabled = clear.disabled = regions.length === 0;
    }

    editor.addEventListener('pointerdown', function (e) {
      if (e.button !== undefined && e.button !== 0) return;
      e.preventDefault();
      editor.setPointerCapture(e.pointerId);
      start = point(e);
      drawing = document.createElement('div');
      drawing.className = 'blur-region';
      editor.appendChild(drawing);
      place(drawing, { x: start.x, y: start.y, w: 0, h: 0 });
    });
    editor.addEventListener('pointermove', function (e) {
      if (!start) return;
      place(drawing, rect(start, point(e)));
    });
    function finish(e) {
      if (!start) return;
      var r = rect(start, point(e));
      start = null;
      // A click or a tiny slip is not a region.
      if (r.w < 0.01 || r.h < 0.01) { drawing.remove(); return; }
      regions.push({ x: +r.x.toFixed(4), y: +r.y.toFixed(4), w: +r.w.toFixed(4), h: +r.h.toFixed(4) });
      update();
    }
    editor.addEventListener('pointerup', finish);
    editor.addEventListener('pointercancel', function () { if (drawing && start) drawing.remove(); start = null; });
    clear.addEventListener('click', function () {
      regions = [];
      editor.querySelectorAll('.blur-region').forEach(function (el) { el.remove(); });
      update();
    });
    update();
  }

  document.querySelectorAll('[data-blur-editor]').forEach(setup);
})();
