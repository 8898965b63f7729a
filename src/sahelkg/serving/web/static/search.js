// The header's entity search: names completed from /api/search as you type (an ARIA combobox);
// Enter or a click opens the entity's page. Labels follow the page's language selector.
(function () {
  "use strict";
  const box = document.getElementById("entity-search");
  const list = document.getElementById("entity-search-results");
  if (!box || !list) return;
  let active = -1;
  let hits = [];
  let asked = 0; // the latest request: an older answer arriving late is dropped

  function lang() {
    const select = document.getElementById("lang");
    return select && select.value ? select.value : "en";
  }

  function pageOf(hit) {
    return "/id/" + hit.id + (lang() !== "en" ? "?lang=" + lang() : "");
  }

  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(i) {
    const items = list.querySelectorAll("li[role=option]");
    items.forEach((li, j) => li.setAttribute("aria-selected", j === i ? "true" : "false"));
    active = i;
    if (i >= 0 && items[i]) box.setAttribute("aria-activedescendant", items[i].id);
  }

  function render() {
    list.replaceChildren();
    if (!hits.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "no entity has a name like this";
      list.appendChild(li);
    }
    hits.forEach((hit, i) => {
      const li = document.createElement("li");
      li.id = "entity-search-" + i;
      li.setAttribute("role", "option");
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = hit.labels[lang()] || Object.values(hit.labels)[0] || hit.id;
      const type = document.createElement("span");
      type.className = "type";
      type.textContent = hit.types.join(", ");
      li.append(label, " ", type);
      if (hit.matched !== label.textContent) {
        const matched = document.createElement("span");
        matched.className = "matched";
        matched.textContent = "“" + hit.matched + "”";
        li.append(" ", matched);
      }
      li.addEventListener("mousedown", (e) => { e.preventDefault(); window.location.href = pageOf(hit); });
      list.appendChild(li);
    });
    list.hidden = false;
    box.setAttribute("aria-expanded", "true");
    highlight(hits.length ? 0 : -1);
  }

  async function complete() {
    const q = box.value.trim();
    const mine = ++asked;
    if (!q) { hits = []; close(); return; }
    const params = new URLSearchParams({ q, lang: lang(), limit: "8" });
    const response = await fetch("/api/search?" + params);
    if (mine !== asked) return;
    hits = response.ok ? (await response.json()).results : [];
    render();
  }

  let timer = null;
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(complete, 120); // one request per pause in typing, not per key
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && hits.length) { e.preventDefault(); highlight((active + 1) % hits.length); }
    else if (e.key === "ArrowUp" && hits.length) { e.preventDefault(); highlight((active - 1 + hits.length) % hits.length); }
    else if (e.key === "Escape") close();
    else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0 && hits[active]) window.location.href = pageOf(hits[active]);
    }
  });
  box.addEventListener("blur", close);
})();
