/* sahelkg: the query page. A CodeMirror SPARQL editor with prefix and term completion, the named
 * queries of queries/ as examples with a parameter form, results as a table with labelled links to
 * the entity pages, downloads in every format, and a timeline and a map of the results.
 * Every value from the graph is put in the page with textContent or as an attribute, never as HTML. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("config").textContent);
  const $ = (id) => document.getElementById(id);
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
  const MAX_ROWS = 2000;
  const SELECT_FORMATS = [
    ["JSON", "application/sparql-results+json", "json"], ["XML", "application/sparql-results+xml", "xml"],
    ["CSV", "text/csv", "csv"], ["TSV", "text/tab-separated-values", "tsv"],
  ];
  const GRAPH_FORMATS = [
    ["Turtle", "text/turtle", "ttl"], ["N-Triples", "application/n-triples", "nt"],
    ["JSON-LD", "application/ld+json", "jsonld"], ["RDF/XML", "application/rdf+xml", "rdf"],
  ];

  /* The page's own words, in the language chosen for the labels. Static text in index.html carries
   * data-i18n="key"; the script's messages go through t(key, ...). */
  const TEXT = {
    en: {
      tagline: "knowledge graph of the armed conflict in the Sahel", labels: "labels", examples: "Examples",
      events: "Events: timeline and map", loading: "loading the named queries…", run: "Run",
      hint: "Ctrl+Enter runs, Ctrl+Space completes prefixes and terms", table: "Table", timeline: "Timeline",
      map: "Map", start: "Run a query, or pick an example.", footerEndpoint: "SPARQL endpoint at",
      footerIris: "every IRI of the graph dereferences under", running: "running…", error: "error",
      rows: (n, graph) => `${n} ${graph ? "triple" : "row"}${n === 1 ? "" : "s"}`, inMs: (ms) => `in ${ms} ms`,
      answered: (ms) => `answered in ${ms} ms`, noResults: "No results.",
      firstRows: (max, n) => `Showing the first ${max} of ${n} rows; the downloads have them all.`,
      download: "download", downloadFailed: "download failed", noQueries: "No named queries.",
      runWith: "Run with these values",
      declared: (list) => `declared ${list.map((p) => `PREFIX ${p}:`).join(", ")} (not in the query)`,
      noCoordinates: "No coordinates in these results: the map needs latitude and longitude columns (sk:latitude, sk:longitude) or a WKT POINT.",
      selectionRows: (n) => `${n} row${n === 1 ? "" : "s"}`,
    },
    fr: {
      tagline: "graphe de connaissances du conflit armé au Sahel", labels: "libellés", examples: "Exemples",
      events: "Événements : frise et carte", loading: "chargement des requêtes nommées…", run: "Exécuter",
      hint: "Ctrl+Entrée exécute, Ctrl+Espace complète préfixes et termes", table: "Tableau", timeline: "Frise",
      map: "Carte", start: "Exécutez une requête, ou choisissez un exemple.", footerEndpoint: "point d'accès SPARQL :",
      footerIris: "chaque IRI du graphe se déréférence sous", running: "exécution…", error: "erreur",
      rows: (n, graph) => `${n} ${graph ? "triplet" : "ligne"}${n > 1 ? "s" : ""}`, inMs: (ms) => `en ${ms} ms`,
      answered: (ms) => `réponse en ${ms} ms`, noResults: "Aucun résultat.",
      firstRows: (max, n) => `Les ${max} premières lignes sur ${n} ; les téléchargements les ont toutes.`,
      download: "télécharger", downloadFailed: "échec du téléchargement", noQueries: "Aucune requête nommée.",
      runWith: "Exécuter avec ces valeurs",
      declared: (list) => `${list.map((p) => `PREFIX ${p}:`).join(", ")} déclaré${list.length > 1 ? "s" : ""} (absent${list.length > 1 ? "s" : ""} de la requête)`,
      noCoordinates: "Pas de coordonnées dans ces résultats : la carte a besoin de colonnes de latitude et de longitude (sk:latitude, sk:longitude) ou d'un POINT WKT.",
      selectionRows: (n) => `${n} ligne${n > 1 ? "s" : ""}`,
    },
  };

  function t(key, ...args) {
    const entry = (TEXT[state.lang] || TEXT.en)[key];
    return typeof entry === "function" ? entry(...args) : entry;
  }

  // "Nothing here" as its own element (tag p or li, class "empty") appended to parent, in the page's language.
  function appendEmpty(parent, tag, key) {
    const node = document.createElement(tag);
    node.className = "empty";
    node.textContent = t(key);
    parent.appendChild(node);
  }

  function translatePage() {
    document.documentElement.lang = state.lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  }

  const state = {
    lang: config.lang || "en",
    queries: [],
    named: null,        // {query, values} of the named query shown, while the editor holds its text
    result: null,       // {vars, rows, boolean, form}
    labels: {},
    view: "table",
    downloadName: "results",
  };

  // --- the editor ---------------------------------------------------------------------------
  const cm = CodeMirror.fromTextArea($("query"), {
    mode: "application/sparql-query",
    lineNumbers: true,
    lineWrapping: true,
    matchBrackets: true,
    autoCloseBrackets: true,
    indentUnit: 2,
    extraKeys: {
      "Ctrl-Enter": () => runEditor(),
      "Cmd-Enter": () => runEditor(),
      "Ctrl-Space": (editor) => editor.showHint({ hint: sparqlHint, completeSingle: false }),
      "Ctrl-/": "toggleComment",
    },
  });
  cm.setValue(config.eventsQuery);
  cm.on("change", (editor, change) => {
    if (change.origin !== "setValue") state.named = null;
  });
  cm.on("inputRead", (editor, change) => {
    const typed = change.text.join("");
    if (typed === ":") declarePrefixBeforeCursor(editor);
    if (/^[A-Za-z:]$/.test(typed) && !editor.state.completionActive && wantsHint(editor)) {
      editor.showHint({ hint: sparqlHint, completeSingle: false });
    }
  });

  function lineBeforeCursor(editor) {
    const cur = editor.getCursor();
    return editor.getLine(cur.line).slice(0, cur.ch);
  }

  function insideStringOrIri(before) {
    const quotes = (before.match(/"/g) || []).length;
    return quotes % 2 === 1 || /<[^>\s]*$/.test(before) || /#/.test(before.replace(/<[^>]*>|"[^"]*"/g, ""));
  }

  function wantsHint(editor) {
    const before = lineBeforeCursor(editor);
    if (insideStringOrIri(before)) return false;
    return /PREFIX\s+[\w-]*$/i.test(before) || /[A-Za-z][\w-]*:[\w-]*$/.test(before);
  }

  /* Completion: prefix declarations after PREFIX, terms of our vocabularies after "sk:", and prefixes. */
  function sparqlHint(editor) {
    const cur = editor.getCursor();
    const before = lineBeforeCursor(editor);
    if (insideStringOrIri(before)) return null;
    let m = /PREFIX\s+([\w-]*)$/i.exec(before);
    if (m) {
      const list = Object.entries(config.prefixes)
        .filter(([p]) => p.startsWith(m[1]))
        .map(([p, iri]) => ({ text: `${p}: <${iri}>`, displayText: `${p}: <${iri}>` }));
      return { list, from: CodeMirror.Pos(cur.line, cur.ch - m[1].length), to: cur };
    }
    m = /([A-Za-z][\w-]*):([\w-]*)$/.exec(before);
    if (m && config.terms[m[1]]) {
      const local = m[2].toLowerCase();
      const list = config.terms[m[1]].filter((t) => t.toLowerCase().startsWith(local))
        .concat(config.terms[m[1]].filter((t) => !t.toLowerCase().startsWith(local) && t.toLowerCase().includes(local)));
      return { list, from: CodeMirror.Pos(cur.line, cur.ch - m[2].length), to: cur };
    }
    m = /([A-Za-z][\w-]*)$/.exec(before);
    if (m) {
      const list = Object.keys(config.prefixes).filter((p) => p.startsWith(m[1].toLowerCase())).map((p) => p + ":");
      const result = { list, from: CodeMirror.Pos(cur.line, cur.ch - m[1].length), to: cur };
      CodeMirror.on(result, "pick", () => declarePrefixBeforeCursor(editor));
      return result;
    }
    return null;
  }

  /* Typing "sk:" in a query that has no "PREFIX sk:" adds the declaration (as YASQE does). */
  function declarePrefixBeforeCursor(editor) {
    const before = lineBeforeCursor(editor);
    if (insideStringOrIri(before) || /^\s*PREFIX\b/i.test(before)) return;
    const m = /(?:^|[^\w:?$-])([A-Za-z][\w-]*):$/.exec(before);
    if (!m || !config.prefixes[m[1]]) return;
    const prefix = m[1];
    const text = editor.getValue();
    if (new RegExp(`PREFIX\\s+${prefix}:`, "i").test(text)) return;
    let last = -1;
    editor.eachLine((line) => {
      if (/^\s*(PREFIX|BASE)\b/i.test(line.text)) last = editor.getLineNumber(line);
    });
    const at = CodeMirror.Pos(last + 1, 0);
    editor.replaceRange(`PREFIX ${prefix}: <${config.prefixes[prefix]}>\n`, at, at, "+prefix");
  }

  /* A pasted query that uses our well-known prefixes without declaring them gets the declarations
   * (shown in the editor, and said in the status line) before it runs; other prefixes are left to
   * the endpoint's error, which names them. Strings, IRIs and comments are skipped. */
  function declareMissingPrefixes(editor) {
    const text = editor.getValue();
    const declared = new Set();
    for (const m of text.matchAll(/PREFIX\s+([A-Za-z][\w.-]*)?:/gi)) declared.add(m[1] || "");
    const re = /"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[?$][\w]+|([A-Za-z][\w.-]*):[\w.:%-]*|[A-Za-z_][\w-]*/g;
    const added = [];
    let m;
    while ((m = re.exec(text))) {
      const p = m[1];
      if (p && !declared.has(p) && config.prefixes[p] && !added.includes(p)) added.push(p);
    }
    if (!added.length) return [];
    let last = -1;
    editor.eachLine((line) => {
      if (/^\s*(PREFIX|BASE)\b/i.test(line.text)) last = editor.getLineNumber(line);
    });
    const at = CodeMirror.Pos(last + 1, 0);
    editor.replaceRange(added.map((p) => `PREFIX ${p}: <${config.prefixes[p]}>\n`).join(""), at, at, "+prefix");
    return added;
  }

  // --- reading queries and results ----------------------------------------------------------
  function queryForm(text) {
    const re = /"""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*|[A-Za-z_]+/g;
    let m;
    while ((m = re.exec(text))) {
      const w = m[0].toUpperCase();
      if (w === "SELECT" || w === "ASK" || w === "CONSTRUCT" || w === "DESCRIBE") return w;
    }
    return "";
  }

  function isGraphForm(form) {
    return form === "CONSTRUCT" || form === "DESCRIBE";
  }

  function unescapeNt(s) {
    return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[tbnrf"'\\])/g, (all, e) => {
      if (e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
      return { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" }[e];
    });
  }

  /* N-Triples to SPARQL JSON-like rows (subject, predicate, object). */
  function parseNTriples(text) {
    const term = /\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;
    const rows = [];
    for (const line of text.split("\n")) {
      if (!line.trim() || line.trim().startsWith("#")) continue;
      term.lastIndex = 0;
      const row = {};
      for (const name of ["subject", "predicate", "object"]) {
        const m = term.exec(line);
        if (!m) break;
        if (m[1] !== undefined) row[name] = { type: "uri", value: unescapeNt(m[1]) };
        else if (m[2] !== undefined) row[name] = { type: "bnode", value: m[2] };
        else {
          row[name] = { type: "literal", value: unescapeNt(m[3]) };
          if (m[4]) row[name]["xml:lang"] = m[4];
          if (m[5]) row[name].datatype = m[5];
        }
      }
      if (row.object) rows.push(row);
    }
    return rows;
  }

  function setStatus(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

  function showError(message) {
    state.result = null;  // the downloads and views of the previous run no longer apply
    renderDownloads();
    for (const v of ["timeline", "map"]) $("view-" + v).textContent = "";
    const view = $("view-table");
    view.textContent = "";
    const pre = document.createElement("pre");
    pre.className = "error";
    pre.textContent = message;
    view.appendChild(pre);
    selectView("table");
  }

  async function errorText(resp) {
    const text = await resp.text();
    try {
      const data = JSON.parse(text);
      if (data && data.error) return data.error;
    } catch (e) { /* not JSON */ }
    return text || resp.statusText;
  }

  // --- running ------------------------------------------------------------------------------
  async function runEditor() {
    const declared = state.named ? [] : declareMissingPrefixes(cm);
    const text = cm.getValue();
    const form = queryForm(text);
    const accept = isGraphForm(form) ? "application/n-triples" : "application/sparql-results+json";
    if (!state.named) {
      remember({ query: text });
      state.downloadName = "results";
    }
    setStatus(t("running"));
    $("run").disabled = true;
    const t0 = performance.now();
    try {
      const resp = await fetch("/sparql", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
        body: new URLSearchParams({ query: text }),
      });
      if (!resp.ok) {
        setStatus(`${t("error")} ${resp.status}`, true);
        showError(await errorText(resp));
        return;
      }
      if (isGraphForm(form)) {
        const rows = parseNTriples(await resp.text());
        await showResult({ form, vars: ["subject", "predicate", "object"], rows }, t0);
      } else {
        const data = await resp.json();
        await showResult({ form, vars: (data.head && data.head.vars) || [], rows: data.results ? data.results.bindings : null,
                           boolean: data.boolean }, t0);
      }
      if (declared.length) $("status").textContent += ` · ${t("declared", declared)}`;
    } catch (e) {
      setStatus(t("error"), true);
      showError(String(e));
    } finally {
      $("run").disabled = false;
    }
  }

  async function runNamed(query, values) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) if (v !== "" && v !== null && v !== undefined) params.set(k, v);
    params.set("lang", state.lang);
    state.downloadName = query.name;
    remember(Object.assign({ named: query.name }, values));
    setStatus(t("running"));
    $("run").disabled = true;
    const t0 = performance.now();
    try {
      const resp = await fetch(`/api/queries/${encodeURIComponent(query.name)}?${params}`, { headers: { Accept: "application/json" } });
      if (!resp.ok) {
        setStatus(`${t("error")} ${resp.status}`, true);
        showError(await errorText(resp));
        return;
      }
      const data = await resp.json();
      cm.setValue(data.query.text);
      state.named = { query, values };
      if (data.ntriples !== undefined) {
        await showResult({ form: data.query.form, vars: ["subject", "predicate", "object"], rows: parseNTriples(data.ntriples) }, t0);
      } else {
        await showResult({ form: data.query.form, vars: (data.head && data.head.vars) || [],
                           rows: data.results ? data.results.bindings : null, boolean: data.boolean }, t0);
      }
    } catch (e) {
      setStatus(t("error"), true);
      showError(String(e));
    } finally {
      $("run").disabled = false;
    }
  }

  /* The page's URL holds what ran, so a result can be shared and the back button brings it back. */
  function remember(params) {
    const search = new URLSearchParams(params);
    if (state.lang !== config.lang) search.set("lang", state.lang);
    history.replaceState(null, "", "?" + search.toString());
  }

  async function showResult(result, t0) {
    state.result = result;
    const n = result.rows ? result.rows.length : 0;
    const ms = Math.round(performance.now() - t0);
    setStatus(result.rows ? `${t("rows", n, isGraphForm(result.form))} ${t("inMs", ms)}` : t("answered", ms));
    await fetchLabels();
    renderDownloads();
    render();
  }

  async function fetchLabels() {
    state.labels = {};
    const rows = state.result && state.result.rows;
    if (!rows) return;
    const iris = new Set();
    for (const row of rows.slice(0, MAX_ROWS)) {
      for (const cell of Object.values(row)) {
        if (cell.type === "uri" && iris.size < 2000) iris.add(cell.value);
      }
    }
    if (!iris.size) return;
    try {
      const resp = await fetch("/api/labels", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ iris: [...iris], lang: state.lang }),
      });
      if (resp.ok) state.labels = (await resp.json()).labels || {};
    } catch (e) { /* labels are a nicety: the table shows IRIs without them */ }
  }

  // --- showing results ------------------------------------------------------------------------
  function compact(iri) {
    let best = "", name = "";
    for (const [p, ns] of Object.entries(config.prefixes)) {
      if (iri.startsWith(ns) && ns.length > best.length) { best = ns; name = p; }
    }
    return best ? `${name}:${iri.slice(best.length)}` : iri;
  }

  function entityHref(iri) {
    if (iri.startsWith(config.idBase) && iri.length > config.idBase.length) {
      const path = iri.slice(config.idBase.length).split("/").map(encodeURIComponent).join("/");
      return "/id/" + path + (state.lang !== "en" ? `?lang=${state.lang}` : "");
    }
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function labelOf(iri) {
    return state.labels[iri] || null;
  }

  function cellNode(cell) {
    const frag = document.createDocumentFragment();
    if (!cell) return frag;
    if (cell.type === "uri") {
      const href = entityHref(cell.value);
      const label = labelOf(cell.value);
      const a = document.createElement(href ? "a" : "span");
      if (href) a.href = href;
      if (href && !cell.value.startsWith(config.idBase)) { a.target = "_blank"; a.rel = "noopener nofollow"; }
      a.title = cell.value;
      a.textContent = label || compact(cell.value);
      frag.appendChild(a);
      if (label) {
        const small = document.createElement("span");
        small.className = "iri";
        small.textContent = compact(cell.value);
        frag.appendChild(small);
      }
    } else if (cell.type === "bnode") {
      frag.appendChild(document.createTextNode("_:" + cell.value));
    } else {
      const span = document.createElement("span");
      span.className = "literal";
      span.textContent = cell.value;
      frag.appendChild(span);
      // Numbers and plain strings speak for themselves; other datatypes and languages are shown.
      const plain = !cell.datatype || /#(string|integer|decimal|double|float|boolean)$/.test(cell.datatype) && cell.datatype.startsWith(XSD);
      const tag = cell["xml:lang"] ? "@" + cell["xml:lang"] : plain ? "" : compact(cell.datatype);
      if (tag) {
        const small = document.createElement("span");
        small.className = "tag";
        small.textContent = " " + tag;
        frag.appendChild(small);
      }
    }
    return frag;
  }

  function renderTable() {
    const view = $("view-table");
    view.textContent = "";
    const result = state.result;
    if (!result) return;
    if (!result.rows) {
      const p = document.createElement("p");
      p.className = "boolean";
      p.textContent = String(result.boolean);
      view.appendChild(p);
      return;
    }
    if (!result.rows.length) {
      appendEmpty(view, "p", "noResults");
      return;
    }
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    for (const v of result.vars) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of result.rows.slice(0, MAX_ROWS)) {
      const tr = body.insertRow();
      for (const v of result.vars) tr.insertCell().appendChild(cellNode(row[v]));
    }
    view.appendChild(table);
    if (result.rows.length > MAX_ROWS) {
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = t("firstRows", MAX_ROWS, result.rows.length);
      view.appendChild(p);
    }
  }

  /* Which columns hold what, guessed from names and values. */
  function columns(result) {
    const vars = result.vars, rows = result.rows || [];
    const values = (v) => rows.map((r) => r[v]).filter(Boolean);
    const isDate = (c) => c.type === "literal" && (
      (c.datatype && /#(date|dateTime|gYear|gYearMonth)$/.test(c.datatype)) || /^-?\d{4}(-\d{2}(-\d{2})?)?(T|\/|$)/.test(c.value)
      || /^--\d{2}-\d{2}$/.test(c.value));  // a day without a year ("--04-25") is a date the timeline cannot place
    const dateVars = vars.filter((v) => values(v).length && values(v).every(isDate));
    const pick = (list, re) => list.find((v) => re.test(v));
    const date = pick(dateVars, /begin/i) || pick(dateVars, /date|time|when/i) || dateVars[0];
    const dateText = pick(dateVars, /iso|^date$/i) || date;
    const iriVars = vars.filter((v) => values(v).length && values(v).every((c) => c.type === "uri"));
    const item = pick(iriVars, /^(event|e|item|fact|s|subject)$/i) || iriVars.find((v) => !/type|class|place|article|source/i.test(v)) || iriVars[0];
    // what to colour by: a category column (few values) before a type; an IRI or a label
    const type = pick(vars, /^category(Label)?$/i) || pick(iriVars, /^(type|class|eventType)$/i)
      || pick(vars, /^(type|class|eventType)Label$/i);
    const label = item && (vars.find((v) => v.toLowerCase() === (item + "label").toLowerCase()) || pick(vars, /^label$/i));
    const lat = pick(vars, /^(lat|latitude)$/i) || pick(vars, /lat/i);
    const long = pick(vars, /^(long|lon|lng|longitude)$/i) || pick(vars, /long|lon|lng/i);
    const wkt = vars.find((v) => values(v).some((c) => c.datatype === WKT || /^\s*POINT\s*\(/i.test(c.value)));
    const place = pick(iriVars, /place|location|where/i);
    const placeLabel = place && vars.find((v) => v.toLowerCase() === (place + "label").toLowerCase());
    return { date, dateText, item, type, label, lat, long, wkt, place, placeLabel };
  }

  function cellLabel(row, iriVar, labelVar) {
    if (labelVar && row[labelVar]) return row[labelVar].value;
    const cell = iriVar && row[iriVar];
    if (!cell) return "";
    return labelOf(cell.value) || compact(cell.value);
  }

  function renderTimeline() {
    const view = $("view-timeline");
    const result = state.result;
    if (!result || !result.rows) { view.textContent = ""; return; }
    const c = columns(result);
    const items = result.rows.map((row) => {
      const cell = c.date && row[c.date];
      const typeCell = c.type && row[c.type];
      const type = typeCell ? typeCell.value : "";
      return {
        time: cell ? SahelTimeline.parseDate(cell.value) : NaN,
        dateText: c.dateText && row[c.dateText] ? row[c.dateText].value : cell ? cell.value : "",
        label: cellLabel(row, c.item, c.label),
        href: c.item && row[c.item] ? entityHref(row[c.item].value) : null,
        type, typeLabel: !typeCell ? "" : typeCell.type !== "uri" ? type : labelOf(type) || compact(type).replace(/^\w+:/, ""),
      };
    });
    SahelTimeline.draw(view, items, { lang: state.lang, onClick: (item) => { if (item.href) location.href = item.href; } });
  }

  function renderMap() {
    const view = $("view-map");
    const result = state.result;
    if (!result || !result.rows) { view.textContent = ""; return; }
    const c = columns(result);
    const byPlace = new Map();
    for (const row of result.rows) {
      let lat = NaN, long = NaN;
      if (c.lat && c.long && row[c.lat] && row[c.long]) {
        lat = parseFloat(row[c.lat].value); long = parseFloat(row[c.long].value);
      } else if (c.wkt && row[c.wkt]) {
        const m = /POINT\s*\(\s*([-\d.eE+]+)\s+([-\d.eE+]+)\s*\)/i.exec(row[c.wkt].value);
        if (m) { long = parseFloat(m[1]); lat = parseFloat(m[2]); }
      }
      if (!isFinite(lat) || !isFinite(long)) continue;
      const key = `${lat},${long}`;
      const placeIri = c.place && row[c.place] ? row[c.place].value : null;
      let point = byPlace.get(key);
      if (!point) {
        point = { lat, long, count: 0, items: [], href: placeIri ? entityHref(placeIri) : null,
                  label: placeIri ? cellLabel(row, c.place, c.placeLabel) : `${lat}, ${long}` };
        byPlace.set(key, point);
      }
      point.count += 1;
      if (c.item && row[c.item] && c.item !== c.place) {
        point.items.push({ label: cellLabel(row, c.item, c.label), href: entityHref(row[c.item].value),
                           date: c.dateText && row[c.dateText] ? row[c.dateText].value : "" });
      }
    }
    const points = [...byPlace.values()];
    if (!points.length) {  // a message, not an empty base map
      view.textContent = "";
      appendEmpty(view, "p", "noCoordinates");
      return;
    }
    const selection = document.createElement("div");
    selection.className = "selection";
    SahelMap.draw(view, points, { lang: state.lang, onClick: (p) => showSelection(selection, p),
                                  after: () => view.appendChild(selection) });
  }

  function showSelection(container, point) {
    container.textContent = "";
    const title = document.createElement(point.href ? "a" : "strong");
    if (point.href) title.href = point.href;
    title.textContent = point.label;
    container.appendChild(title);
    container.appendChild(document.createTextNode(` — ${t("selectionRows", point.count)}`));
    const ul = document.createElement("ul");
    for (const item of point.items.slice(0, 100)) {
      const li = document.createElement("li");
      if (item.date) li.appendChild(document.createTextNode(item.date + " "));
      const a = document.createElement(item.href ? "a" : "span");
      if (item.href) a.href = item.href;
      a.textContent = item.label;
      li.appendChild(a);
      ul.appendChild(li);
    }
    container.appendChild(ul);
  }

  function render() {
    if (state.view === "timeline") renderTimeline();
    else if (state.view === "map") renderMap();
    else renderTable();
    // The table is always drawn, so that switching back is instant.
    if (state.view !== "table") renderTable();
  }

  function selectView(name) {
    state.view = name;
    for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b.dataset.view === name);
    for (const v of ["table", "timeline", "map"]) $("view-" + v).hidden = v !== name;
    if (name === "timeline") renderTimeline();
    if (name === "map") renderMap();
  }

  // --- downloads ------------------------------------------------------------------------------
  function renderDownloads() {
    const box = $("downloads");
    box.textContent = "";
    if (!state.result) return;
    box.appendChild(document.createTextNode(t("download")));
    for (const [label, media, ext] of isGraphForm(state.result.form) ? GRAPH_FORMATS : SELECT_FORMATS) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.title = `${media}`;
      b.addEventListener("click", () => download(media, ext));
      box.appendChild(b);
    }
  }

  async function download(media, ext) {
    const resp = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: media },
      body: new URLSearchParams({ query: cm.getValue() }),
    });
    if (!resp.ok) { setStatus(`${t("downloadFailed")}: ${resp.status}`, true); return; }
    const blob = await resp.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${state.downloadName}.${ext}`;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // --- named queries ----------------------------------------------------------------------------
  function renderQueryList() {
    const list = $("query-list");
    list.textContent = "";
    if (!state.queries.length) appendEmpty(list, "li", "noQueries");
    for (const q of state.queries) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.query = q.name;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = q.name;
      const summary = document.createElement("span");
      summary.className = "summary";
      summary.textContent = q.summary || q.description || "";
      b.append(name, summary);
      b.title = q.description || q.summary || q.name;
      b.addEventListener("click", () => selectQuery(q, {}));
      li.appendChild(b);
      list.appendChild(li);
    }
  }

  function selectQuery(q, given) {
    for (const b of document.querySelectorAll("#query-list button")) b.classList.toggle("active", b.dataset.query === q.name);
    $("query-meta").hidden = false;
    $("query-title").textContent = q.summary || q.name;
    $("query-description").textContent = q.description || "";
    const form = $("query-params");
    form.textContent = "";
    for (const p of q.params) {
      if (p.name === "lang") continue; // the page's language selector binds ?lang
      const label = document.createElement("label");
      label.textContent = p.description ? `${p.name}: ${p.description}` : p.name;
      let input;
      if (p.type === "boolean") {
        input = document.createElement("select");
        for (const v of ["true", "false"]) input.appendChild(new Option(v, v));
      } else {
        input = document.createElement("input");
        input.type = { integer: "number", decimal: "number", date: "date" }[p.type] || "text";
        if (p.type === "decimal") input.step = "any";
        if (p.type === "iri") { input.placeholder = "https://…"; input.className = "iri"; }
      }
      input.name = p.name;
      input.value = given[p.name] !== undefined ? given[p.name] : p.default || "";
      label.appendChild(input);
      form.appendChild(label);
    }
    const run = document.createElement("button");
    run.type = "submit";
    run.className = "primary";
    run.textContent = t("runWith");
    form.appendChild(run);
    form.onsubmit = (event) => {
      event.preventDefault();
      runNamed(q, formValues(form));
    };
    runNamed(q, formValues(form));
  }

  function formValues(form) {
    const values = {};
    for (const input of form.querySelectorAll("input, select")) values[input.name] = input.value;
    return values;
  }

  async function loadQueries() {
    try {
      const resp = await fetch("/api/queries");
      state.queries = resp.ok ? (await resp.json()).queries : [];
    } catch (e) {
      state.queries = [];
    }
    renderQueryList();
  }

  // --- wiring -----------------------------------------------------------------------------------
  const langSelect = $("lang");
  for (const l of config.languages) langSelect.appendChild(new Option(l.toUpperCase(), l));
  langSelect.value = state.lang;
  langSelect.addEventListener("change", async () => {
    state.lang = langSelect.value;
    translatePage();
    if (state.queries.length) renderQueryList();
    if (!state.result) renderDownloads();
    if (state.named) {
      runNamed(state.named.query, state.named.values);
    } else if (state.result) {
      await fetchLabels();
      render();
    }
  });
  $("run").addEventListener("click", () => runEditor());
  $("events-button").addEventListener("click", () => {
    $("query-meta").hidden = true;
    for (const b of document.querySelectorAll("#query-list button")) b.classList.remove("active");
    cm.setValue(config.eventsQuery);
    state.named = null;
    state.downloadName = "events";
    selectView(state.view === "table" ? "timeline" : state.view);
    runEditor();
  });
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => selectView(b.dataset.view));
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (state.view !== "table") selectView(state.view); }, 200);
  });

  (async function start() {
    await loadQueries();
    const params = new URLSearchParams(location.search);
    if (params.get("lang") && config.languages.includes(params.get("lang"))) {
      state.lang = params.get("lang");
      langSelect.value = state.lang;
    }
    translatePage();
    if (params.get("named")) {
      const q = state.queries.find((x) => x.name === params.get("named"));
      if (q) {
        const given = {};
        for (const [k, v] of params) if (k !== "named" && k !== "lang") given[k] = v;
        selectQuery(q, given);
      }
    } else if (params.get("query")) {
      cm.setValue(params.get("query"));
      runEditor();
    }
  })();

  window.sahelkg = { cm, state, runEditor, runNamed, queryForm, parseNTriples };
})();
