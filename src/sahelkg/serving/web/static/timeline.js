/* sahelkg: an SVG timeline of dated items (events), one dot each, stacked where they crowd,
 * coloured by type. Data goes into the SVG through textContent and attributes only. */
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  /* Kenneth Kelly's colours of maximum contrast (1965), less white: 21 hues that stay apart from one
   * another (one red, not four). Past 21 types, the colours come round again as hollow rings, so that
   * every type keeps a marker of its own. */
  const PALETTE = ["#be0032", "#0067a5", "#f38400", "#008856", "#875692", "#f3c300", "#a1caf1", "#882d17",
                   "#8db600", "#e68fac", "#222222", "#c2b280", "#604e97", "#f99379", "#654522", "#dcd300",
                   "#b3446c", "#2b3d26", "#848482", "#e25822", "#f6a600"];
  const TEXT = {
    en: { empty: "No dated rows to draw: the timeline needs a column of dates (xsd:date, xsd:dateTime or ISO text such as sk:isoDate).",
          other: "other", caption: (n, a, b) => `${n} dated row(s), ${a} to ${b}. Click a dot to open it.` },
    fr: { empty: "Aucune ligne datée à tracer : la frise a besoin d'une colonne de dates (xsd:date, xsd:dateTime ou texte ISO comme sk:isoDate).",
          other: "autre", caption: (n, a, b) => `${n} ligne(s) datée(s), du ${a} au ${b}. Cliquer sur un point l'ouvre.` },
  };

  /** The marker of the i-th type: a colour, filled, then the same colours as rings. */
  function marker(i) {
    const colour = PALETTE[i % PALETTE.length];
    return { colour, hollow: Math.floor(i / PALETTE.length) % 2 === 1 };
  }
  const DAY = 86400000;

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  /** Milliseconds of an ISO date, year-month or year ("2021-09-24", "2014-08", "2013", "...T00:00:00"), or of
   * the first month of an ISO 8601-2 season ("2014-22": summer, from June); NaN for a day without a year. */
  function parseDate(text) {
    const m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(text || "").trim());
    if (!m) return NaN;
    let month = m[2] ? +m[2] : 1;
    if (month >= 21 && month <= 24) month = [3, 6, 9, 12][month - 21];
    else if (month > 12) return NaN;
    return Date.UTC(+m[1], month - 1, m[3] ? +m[3] : 1);
  }

  function ticks(t0, t1) {
    const years = (t1 - t0) / (365.25 * DAY);
    const out = [];
    const y0 = new Date(t0).getUTCFullYear(), y1 = new Date(t1).getUTCFullYear();
    if (years > 2) {
      const step = years > 40 ? 10 : years > 16 ? 5 : years > 8 ? 2 : 1;
      for (let y = Math.ceil(y0 / step) * step; y <= y1 + 1; y += step) out.push([Date.UTC(y, 0, 1), String(y)]);
    } else {
      const step = years > 1 ? 3 : 1;
      const names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
      for (let y = y0; y <= y1; y++) {
        for (let m = 0; m < 12; m += step) {
          out.push([Date.UTC(y, m, 1), m === 0 ? String(y) : names[m]]);
        }
      }
    }
    return out.filter(([t]) => t >= t0 && t <= t1);
  }

  /**
   * Draw `items` ([{time, dateText, label, href, type, typeLabel}]) in `container` (emptied first).
   * options: {onClick(item)}.
   */
  function draw(container, items, options) {
    options = options || {};
    const text = TEXT[options.lang] || TEXT.en;
    const dated = items.filter((i) => isFinite(i.time)).sort((a, b) => a.time - b.time);
    container.textContent = "";
    if (!dated.length) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = text.empty;
      container.appendChild(p);
      return null;
    }
    const width = Math.max(container.clientWidth - 20 || 0, 320);
    const left = 30, right = 30, r = 5, gap = 2 * r + 1;
    let t0 = dated[0].time, t1 = dated[dated.length - 1].time;
    const pad = Math.max((t1 - t0) * 0.03, 15 * DAY);
    t0 -= pad; t1 += pad;
    const X = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);

    const stacks = new Map();
    let maxStack = 0;
    for (const item of dated) {
      const bucket = Math.round(X(item.time) / gap);
      const n = stacks.get(bucket) || 0;
      stacks.set(bucket, n + 1);
      item._x = bucket * gap;
      item._level = n;
      maxStack = Math.max(maxStack, n + 1);
    }
    const levels = Math.min(maxStack, 30);
    const axisY = 20 + levels * gap;
    const height = axisY + 28;

    const types = [];
    for (const item of dated) if (!types.includes(item.type || "")) types.push(item.type || "");
    const markerOf = (type) => marker(types.indexOf(type || ""));

    const svg = el("svg", { class: "timeline", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "timeline" });
    const axis = el("g", { class: "axis" }, svg);
    el("line", { x1: left, x2: width - right, y1: axisY, y2: axisY }, axis);
    for (const [t, text] of ticks(t0, t1)) {
      const x = X(t);
      el("line", { x1: x, x2: x, y1: axisY, y2: axisY + 5 }, axis);
      const label = el("text", { x, y: axisY + 18, "text-anchor": "middle" }, axis);
      label.textContent = text;
    }
    for (const item of dated) {
      const level = Math.min(item._level, levels - 1);
      const m = markerOf(item.type);
      const c = el("circle", { cx: item._x.toFixed(1), cy: axisY - r - 3 - level * gap, r: m.hollow ? r - 1 : r,
                               fill: m.hollow ? "white" : m.colour, stroke: m.colour, "stroke-width": m.hollow ? 2 : 0,
                               "data-type": item.type || "" }, svg);
      el("title", {}, c).textContent = `${item.dateText || ""} ${item.label || ""}`.trim()
        + (item.typeLabel ? ` (${item.typeLabel})` : "");
      if (options.onClick) c.addEventListener("click", () => options.onClick(item));
    }
    container.appendChild(svg);
    if (types.length > 1 || types[0]) {
      const legend = document.createElement("div");
      legend.className = "legend";
      for (const type of types) {
        const span = document.createElement("span");
        const m = markerOf(type);
        span.style.setProperty("--c", m.colour);
        if (m.hollow) span.className = "hollow";
        span.dataset.type = type;
        const sample = dated.find((i) => (i.type || "") === type);
        span.textContent = (sample && sample.typeLabel) || type || text.other;
        legend.appendChild(span);
      }
      container.appendChild(legend);
    }
    const caption = document.createElement("div");
    caption.className = "map-caption";
    caption.textContent = text.caption(dated.length, new Date(dated[0].time).toISOString().slice(0, 10),
                                       new Date(dated[dated.length - 1].time).toISOString().slice(0, 10));
    container.appendChild(caption);
    return svg;
  }

  window.SahelTimeline = { draw, parseDate, marker, PALETTE };
})();
