/* sahelkg: an offline SVG map of points over the country outlines in vendor/countries.geojson.
 * No tiles, no network: an equirectangular projection fitted to the points, countries drawn as paths,
 * their names at the centre of their largest polygon. Data goes into the SVG through textContent and
 * attributes only, never as markup. */
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const DEFAULT_VIEW = { west: -18, east: 25, south: 4, north: 27 };
  let countries = null;

  function loadCountries() {
    if (!countries) {
      countries = fetch("/static/vendor/countries.geojson")
        .then((r) => (r.ok ? r.json() : { features: [] }))
        .catch(() => ({ features: [] }));
    }
    return countries;
  }

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  function ringArea(ring) {
    let a = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
    return Math.abs(a / 2);
  }

  function ringCentroid(ring) {
    let x = 0, y = 0, a = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      x += (ring[j][0] + ring[i][0]) * f;
      y += (ring[j][1] + ring[i][1]) * f;
      a += f * 3;
    }
    return a ? [x / a, y / a] : ring[0];
  }

  const TEXT = {
    en: { caption: "Country outlines: Natural Earth 1:50m (public domain) via world-atlas; drawn offline.",
          outside: (n, names) => `${n} place${n === 1 ? "" : "s"} far from the others, outside this view: ${names}.`,
          showAll: "Show all" },
    fr: { caption: "Frontières : Natural Earth 1:50m (domaine public) via world-atlas ; tracées hors ligne.",
          outside: (n, names) => `${n} lieu${n === 1 ? "" : "x"} loin des autres, hors de cette vue : ${names}.`,
          showAll: "Tout montrer" },
  };

  /* The points the view frames: those near the bulk of them. A point farther from the median than
   * three times the points' median distance to it (and more than 10 degrees) is left outside the view
   * (a headquarters in Europe must not push the Sahel into a corner) and named in the caption. */
  function framed(points) {
    if (points.length < 3) return { inside: points, outside: [] };
    const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
    const lat = median(points.map((p) => p.lat)), long = median(points.map((p) => p.long));
    const dist = (p) => Math.hypot(p.lat - lat, (p.long - long) * Math.cos(lat * Math.PI / 180));
    const limit = Math.max(10, 3 * median(points.map(dist)));
    const inside = points.filter((p) => dist(p) <= limit);
    return { inside, outside: points.filter((p) => dist(p) > limit) };
  }

  /* The view: the points' bounding box with a margin, never smaller than a few degrees. */
  function fitView(points, aspect, minSpan) {
    let v;
    if (!points.length) {
      v = Object.assign({}, DEFAULT_VIEW);
    } else {
      const lats = points.map((p) => p.lat), longs = points.map((p) => p.long);
      v = { west: Math.min(...longs), east: Math.max(...longs), south: Math.min(...lats), north: Math.max(...lats) };
      const padX = Math.max(2, (v.east - v.west) * 0.15), padY = Math.max(1.5, (v.north - v.south) * 0.15);
      v = { west: v.west - padX, east: v.east + padX, south: v.south - padY, north: v.north + padY };
    }
    if (v.east - v.west < minSpan) { const c = (v.east + v.west) / 2; v.west = c - minSpan / 2; v.east = c + minSpan / 2; }
    // Keep the width/height ratio of the box (in projected units) equal to the drawing's.
    const k = Math.cos(((v.north + v.south) / 2) * Math.PI / 180);
    const w = (v.east - v.west) * k, h = v.north - v.south;
    if (w / h > aspect) { const need = w / aspect, c = (v.north + v.south) / 2; v.south = c - need / 2; v.north = c + need / 2; }
    else { const need = (h * aspect) / k, c = (v.east + v.west) / 2; v.west = c - need / 2; v.east = c + need / 2; }
    v.k = k;
    return v;
  }

  /**
   * Draw points on a map in `container` (emptied first).
   * points: [{lat, long, label, count, href}]; options: {height, onClick(point), labels (how many points to
 * name), minSpan (the narrowest view in degrees of longitude, 16 by default: a region, not a town), lang (en, fr),
 * all (frame every point, outliers too), after(svg) (called after every drawing, "Show all" included)}.
   */
  async function draw(container, points, options) {
    options = options || {};
    const width = Math.max(container.clientWidth || 0, 320);
    const height = options.height || Math.round(Math.min(Math.max(width * 0.55, 260), 560));
    const text = TEXT[options.lang] || TEXT.en;
    const valid = points.filter((p) => isFinite(p.lat) && isFinite(p.long) && Math.abs(p.lat) <= 90 && Math.abs(p.long) <= 180);
    const { inside, outside } = options.all ? { inside: valid, outside: [] } : framed(valid);
    const v = fitView(inside, width / height, options.minSpan || 16);
    const sx = width / (v.east - v.west), sy = height / (v.north - v.south);
    const X = (lon) => (lon - v.west) * sx, Y = (lat) => (v.north - lat) * sy;

    const svg = el("svg", { class: "map", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "map" });
    const data = await loadCountries();
    const land = el("g", {}, svg);
    const names = el("g", {}, svg);
    for (const f of data.features || []) {
      let d = "", best = null, bestArea = 0;
      for (const polygon of f.geometry.coordinates) {
        const outer = polygon[0];
        let w = 180, e = -180, s = 90, n = -90;
        for (const [x, y] of outer) { if (x < w) w = x; if (x > e) e = x; if (y < s) s = y; if (y > n) n = y; }
        if (e < v.west || w > v.east || n < v.south || s > v.north) continue;
        for (const ring of polygon) {
          d += "M" + ring.map(([x, y]) => X(x).toFixed(1) + "," + Y(y).toFixed(1)).join("L") + "Z";
        }
        const area = ringArea(outer);
        if (area > bestArea) { bestArea = area; best = outer; }
      }
      if (!d) continue;
      const path = el("path", { class: "country", d }, land);
      el("title", {}, path).textContent = f.properties.name;
      if (best) {
        const [cx, cy] = ringCentroid(best);
        const px = X(cx), py = Y(cy);
        const big = bestArea * sx * sy; // the country's area on screen, in px²
        if (px > 20 && px < width - 20 && py > 12 && py < height - 8 && big > 2500) {
          const t = el("text", { class: "country-label", x: px.toFixed(1), y: py.toFixed(1) }, names);
          t.textContent = f.properties.name;
        }
      }
    }
    // A light graticule every 5 degrees (10 when the view is wide).
    const step = v.east - v.west > 40 ? 10 : 5;
    let g = "";
    for (let lon = Math.ceil(v.west / step) * step; lon <= v.east; lon += step) g += `M${X(lon).toFixed(1)},0V${height}`;
    for (let lat = Math.ceil(v.south / step) * step; lat <= v.north; lat += step) g += `M0,${Y(lat).toFixed(1)}H${width}`;
    svg.insertBefore(el("path", { class: "graticule", d: g }), land);

    const dots = el("g", {}, svg);
    const sorted = inside.slice().sort((a, b) => (b.count || 1) - (a.count || 1));
    for (const p of sorted) {
      const r = 4 + 3 * Math.sqrt((p.count || 1) - 1);
      const c = el("circle", { class: "point", cx: X(p.long).toFixed(1), cy: Y(p.lat).toFixed(1), r: r.toFixed(1) }, dots);
      el("title", {}, c).textContent = (p.label || "") + ((p.count || 1) > 1 ? ` (${p.count})` : "");
      if (options.onClick) c.addEventListener("click", () => options.onClick(p));
    }
    // Name the biggest points, skipping a name that would overlap one already placed.
    const placed = [];
    const budget = options.labels === undefined ? 12 : options.labels;
    for (const p of sorted) {
      if (placed.length >= budget) break;
      const r = 4 + 3 * Math.sqrt((p.count || 1) - 1);
      const text = p.label || "";
      const box = { x: X(p.long) + r + 3, y: Y(p.lat) - 8, w: text.length * 6.6, h: 14 };
      if (placed.some((b) => box.x < b.x + b.w && b.x < box.x + box.w && box.y < b.y + b.h && b.y < box.y + box.h)) continue;
      placed.push(box);
      const t = el("text", { class: "point-label", x: box.x.toFixed(1), y: (box.y + 12).toFixed(1) }, svg);
      t.textContent = text;
    }
    container.textContent = "";
    container.appendChild(svg);
    if (outside.length) {
      const note = document.createElement("p");
      note.className = "note outside";
      note.textContent = text.outside(outside.length, outside.map((p) => p.label || `${p.lat}, ${p.long}`).join(", ")) + " ";
      const all = document.createElement("button");
      all.type = "button";
      all.textContent = text.showAll;
      all.addEventListener("click", () => draw(container, points, Object.assign({}, options, { all: true })));
      note.appendChild(all);
      container.appendChild(note);
    }
    const caption = document.createElement("div");
    caption.className = "map-caption";
    caption.textContent = text.caption;
    container.appendChild(caption);
    if (options.after) options.after(svg);
    return svg;
  }

  window.SahelMap = { draw, loadCountries, framed };
})();
