// Event form: click (or tap) the map to set the latitude and longitude fields. The fields stay
// typeable, so the form works without JavaScript; typing a point moves the marker too.
(function () {
  'use strict';
  var el = document.getElementById('point-picker');
  if (!el || typeof L === 'undefined') return;
  var lat = document.getElementById(el.getAttribute('data-lat-input'));
  var lng = document.getElementById(el.getAttribute('data-lng-input'));
  if (!lat || !lng) return;

  function read() {
    var a = parseFloat(String(lat.value).replace(',', '.'));
    var b = parseFloat(String(lng.value).replace(',', '.'));
    return isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180 ? [a, b] : null;
  }

  var start = read();
  var map = L.map(el, { scrollWheelZoom: false }).setView(start || [30, 10], start ? 15 : 2);
  L.tileLayer(el.getAttribute('data-tile-url'), { attribution: el.getAttribute('data-attribution'), maxZoom: 19 }).addTo(map);
  var marker = null;

  function place(point) {
    if (marker) marker.setLatLng(point);
    else marker = L.marker(point, { keyboard: false }).addTo(map);
  }
  if (start) place(start);
  // For the place finder (place-finder.js): move the map to what was found.
  window.picketPointPicker = {
    moveTo: function (point, zoom) { map.setView(point, zoom); },
    centre: function () { var c = map.getCenter(); return { lat: c.lat, lng: c.lng, zoom: map.getZoom() }; },
  };

  map.on('click', function (e) {
    var point = e.latlng.wrap();
    lat.value = point.lat.toFixed(6);
    lng.value = point.lng.toFixed(6);
    place(point);
    lat.dispatchEvent(new Event('change', { bubbles: true }));
  });

  function typed() {
    var point = read();
    if (!point) return;
    place(point);
    map.setView(point, Math.max(map.getZoom(), 13));
  }
  lat.addEventListener('change', typed);
  lng.addEventListener('change', typed);

  // Choosing a venue from the directory fills the place: grey out the free-address fields.
  var venue = document.getElementById('field-venue_id');
  var free = ['field-address', 'field-city', 'field-country', 'field-latitude', 'field-longitude'];
  function syncVenue() {
    var useVenue = venue && venue.value !== '';
    free.forEach(function (id) {
      var input = document.getElementById(id);
      if (input) input.closest('.field').classList.toggle('is-overridden', useVenue);
    });
    el.classList.toggle('is-overridden', useVenue);
  }
  if (venue) {
    venue.addEventListener('change', syncVenue);
    syncVenue();
  }

  // Only the chosen campaign's demands are offered.
  var campaign = document.getElementById('field-campaign_id');
  function syncDemands() {
    var groups = document.querySelectorAll('.demand-group');
    for (var i = 0; i < groups.length; i++) {
      var show = campaign && groups[i].getAttribute('data-campaign-id') === campaign.value;
      groups[i].hidden = !show;
      if (!show) {
        var boxes = groups[i].querySelectorAll('input[type="checkbox"]');
        for (var j = 0; j < boxes.length; j++) boxes[j].checked = false;
      }
    }
  }
  if (campaign) {
    campaign.addEventListener('change', syncDemands);
    syncDemands();
  }
})();
