// The event page is cached for every visitor, so the numbers going in it are those of its render
// (the page says when). This fills in fresh ones from /events/:id/counts.json, which the server
// reads at most every few seconds, and again every 15 s while the page is visible.
(function () {
  var box = document.querySelector('[data-counts-url]');
  if (!box || !window.fetch) return;
  var text = box.querySelector('[data-counts-text]');
  var asOf = box.querySelector('[data-counts-as-of]');
  var url = box.getAttribute('data-counts-url') + '?lang=' + encodeURIComponent(document.documentElement.lang || 'en');
  function refresh() {
    if (document.visibilityState === 'hidden') return;
    fetch(url, { headers: { accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        text.textContent = counts.text;
        if (asOf) asOf.hidden = true; // live now
      })
      .catch(function () { /* offline: the counts of the render stay, with their time */ });
  }
  refresh();
  setInterval(refresh, 15000);
  document.addEventListener('visibilitychange', refresh);
})();
