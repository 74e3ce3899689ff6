// Event form: find the place by typing a city or an embassy. Cities come from the offline city
// search (/api/places/search), places from the organiser's place search (/organise/places/search:
// the shared directory and their own places). Choosing a city moves the map there, fills city,
// country and time zone, and offers the embassies of the campaign's target country in that city
// (and the organiser's own places there); choosing a place selects it. A place that is in neither
// list is clicked on the map and saved under "Not in the list?". Without this script the fields
// below do the same by hand.
(function () {
  'use strict';
  var box = document.getElementById('place-finder');
  var dataEl = document.getElementById('place-data');
  if (!box || !dataEl || !window.fetch) return;
  var data = JSON.parse(dataEl.textContent);
  var input = document.getElementById('place-search');
  var results = document.getElementById('place-results');
  var field = function (name) { return document.getElementById('field-' + name); };
  box.hidden = false;

  function target() {
    var campaign = field('campaign_id');
    var found = campaign && data.campaigns.filter(function (c) { return String(c.id) === campaign.value; })[0];
    return found ? found.target : null;
  }
  function norm(s) { return String(s || '').toLowerCase(); }
  function item(label, detail, onChoose) {
    var li = document.createElement('li');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'place-result';
    var strong = document.createElement('strong');
    strong.textContent = label;
    button.appendChild(strong);
    if (detail) { var span = document.createElement('span'); span.textContent = ' ' + detail; button.appendChild(span); }
    button.addEventListener('click', onChoose);
    li.appendChild(button);
    return li;
  }
  function heading(text) {
    var li = document.createElement('li');
    li.className = 'place-results-heading';
    li.textContent = text;
    return li;
  }
  function move(lat, lng, zoom) {
    if (window.picketPointPicker) window.picketPointPicker.moveTo([lat, lng], zoom);
  }
  function set(name, value) {
    var el = field(name);
    if (!el) return;
    el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }

  // Embassies first: those of the campaign's target country, then other places.
  function venueLi(v) {
    return item(v.name, '— ' + v.city + ' (' + v.country + ')' + (v.own ? ' · ' + data.t.mine : ''), function () { chooseVenue(v); });
  }
  // Places the organiser may use, from the server (the form holds only the first few); the form's
  // own list when the server cannot be asked.
  function places(query, local) {
    // The public proposal form has no server search of places (its list is the shared directory).
    if (!data.placesUrl) return Promise.resolve(data.venues.filter(local));
    return fetch(data.placesUrl + '?' + new URLSearchParams(query).toString(), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (body) { return body.results; })
      .catch(function () { return data.venues.filter(local); });
  }
  function cities(q) {
    return fetch('/api/places/search?limit=6&q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .catch(function () { return { results: [] }; })
      .then(function (body) { return body.results; });
  }
  function sortVenues(list) {
    var t = target();
    return list.sort(function (a, b) { return (b.represents === t) - (a.represents === t) || a.name.localeCompare(b.name); });
  }
  function chooseVenue(v) {
    var select = field('venue_id');
    if (select && !select.querySelector('option[value="' + v.id + '"]')) {
      var option = document.createElement('option');
      option.value = String(v.id);
      option.textContent = v.name + ' — ' + v.city + ' (' + v.country + ')';
      select.appendChild(option);
    }
    set('venue_id', String(v.id));
    move(v.lat, v.lng, 16);
    results.textContent = '';
    results.appendChild(heading(data.t.chosen.replace('{{name}}', v.name)));
  }
  function chooseCity(c) {
    set('venue_id', '');
    set('city', c.name);
    set('country', c.country);
    set('timezone', c.timezone);
    move(c.latitude, c.longitude, 13);
    results.textContent = '';
    var mine = ++asked;
    var t = target();
    places({ city: c.name, country: c.country, limit: '50' }, function (v) { return norm(v.city) === norm(c.name) && v.country === c.country; })
      .then(function (found) {
        if (mine !== asked) return;
        var embassies = sortVenues(found.filter(function (v) { return !v.own && (!t || v.represents === t); }));
        var own = sortVenues(found.filter(function (v) { return v.own; }));
        results.textContent = '';
        results.appendChild(heading(data.t.embassiesIn.replace('{{city}}', c.name)));
        if (!embassies.length) results.appendChild(heading(data.t.none));
        embassies.forEach(function (v) { results.appendChild(venueLi(v)); });
        if (own.length) results.appendChild(heading(data.t.yoursIn.replace('{{city}}', c.name)));
        own.forEach(function (v) { results.appendChild(venueLi(v)); });
        results.appendChild(heading(data.t.clickHint));
      });
  }

  var timer = null;
  var asked = 0;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  function search() {
    var q = input.value.trim();
    var mine = ++asked;
    results.textContent = '';
    if (q.length < 2) return;
    Promise.all([
      cities(q),
      places({ q: q, limit: '6' }, function (v) { return norm(v.name).indexOf(norm(q)) >= 0 || norm(v.city).indexOf(norm(q)) === 0; }),
    ]).then(function (found) {
      if (mine !== asked) return; // a later keystroke won
      results.textContent = '';
      found[0].forEach(function (c) {
        results.appendChild(item(c.name + ', ' + c.country, '(' + data.t.city + ')', function () { chooseCity(c); }));
      });
      sortVenues(found[1]).slice(0, 6).forEach(function (v) { results.appendChild(venueLi(v)); });
      if (!results.children.length) results.appendChild(heading(data.t.none));
    });
  }
})();
