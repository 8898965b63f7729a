/* sahelkg: an SVG timeline of dated items (events), one dot each, stacked where they crowd,
 * coloured by type. Data goes into the SVG through textContent and attributes only. */
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const PALETTE = ["#c0392b", "#2e86c1", "#d68910", "#239b56", "#7d3c98", "#17a589", "#a04000", "#5d6d7e",
                   "#cb4335", "#1f618d", "#b7950b", "#6c3483"];
  const DAY = 86400000;

  function el(name, attrs, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }

  /** Milliseconds of an ISO date, year-month or year ("2021-09-24", "2014-08", "2013", "...T00:00:00"). */
  function parseDate(text) {
    const m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(text || "").trim());
    if (!m) return NaN;
    return Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1);
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
    const dated = items.filter((i) => isFinite(i.time)).sort((a, b) => a.time - b.time);
    container.textContent = "";
    if (!dated.length) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = "No dated rows to draw: the timeline needs a column of dates (xsd:date, xsd:dateTime or ISO text such as sk:isoDate).";
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
    const color = (type) => PALETTE[types.indexOf(type || "") % PALETTE.length];

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
      const c = el("circle", { cx: item._x.toFixed(1), cy: axisY - r - 3 - level * gap, r, fill: color(item.type) }, svg);
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
        span.style.setProperty("--c", color(type));
        const sample = dated.find((i) => (i.type || "") === type);
        span.textContent = (sample && sample.typeLabel) || type || "other";
        legend.appendChild(span);
      }
      container.appendChild(legend);
    }
    const caption = document.createElement("div");
    caption.className = "map-caption";
    caption.textContent = `${dated.length} dated row(s), ${new Date(dated[0].time).toISOString().slice(0, 10)} to ${new Date(dated[dated.length - 1].time).toISOString().slice(0, 10)}. Click a dot to open it.`;
    container.appendChild(caption);
    return svg;
  }

  window.SahelTimeline = { draw, parseDate };
})();
