// Event page: a small map of where the picket is. A private meeting point is shown as a circle of
// about a kilometre around a rounded point (the server never sends the exact one).
(function () {
  'use strict';
  var el = document.getElementById('event-map');
  if (!el || typeof L === 'undefined') return;
  var point = [parseFloat(el.getAttribute('data-lat')), parseFloat(el.getAttribute('data-lng'))];
  if (!isFinite(point[0]) || !isFinite(point[1])) return;
  var approximate = el.getAttribute('data-approximate') === '1';
  var map = L.map(el, { scrollWheelZoom: false }).setView(point, approximate ? 13 : 16);
  if (window.picketBaseMap) window.picketBaseMap(map);
  if (el.getAttribute('data-tile-url')) L.tileLayer(el.getAttribute('data-tile-url'), { attribution: el.getAttribute('data-attribution'), maxZoom: 19 }).addTo(map);
  if (approximate) L.circle(point, { radius: 1000 }).addTo(map);
  else L.marker(point, { keyboard: false }).addTo(map);
})();
