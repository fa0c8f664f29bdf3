// Leaderboard filters and sorting over every entry, as a progressive enhancement:
// without this script the static pages list everyone. Data is fetched on first use
// (packed fixed-width rows, see board/site/pack.py) and only ever placed in the page
// through textContent, never as HTML. The filters, the sort and the page live in the
// URL's query (?sort=score&kind=baseline&page=3), so a view can be shared, bookmarked
// and reloaded.
(function () {
  "use strict";
  var metaNode = document.getElementById("board-meta");
  var form = document.getElementById("filters");
  var table = document.getElementById("board");
  if (!metaNode || !form || !table) return;
  var meta = JSON.parse(metaNode.textContent);
  var root = document.querySelector("link[rel=stylesheet]").getAttribute("href").replace(/static\/site\.css$/, "");
  var tbody = table.tBodies[0];
  var status = document.getElementById("status");
  var pager = document.getElementById("pager");
  var N = meta.count;
  var cols = null, names = null, namesLower = null, loading = null;
  var idChunks = new Map();
  var view = null, page = 0;
  var DAY = 86400000, epoch = Date.parse(meta.epoch + "T00:00:00Z");
  var badgeDefs = meta.badge_defs;

  form.hidden = false;
  if (window.matchMedia("(min-width: 44rem)").matches) document.getElementById("filter-box").open = true;

  function load() {
    if (loading) return loading;
    status.textContent = "Loading all " + N.toLocaleString() + " results…";
    var parts = [];
    for (var i = 0; i < meta.chunks; i++) parts.push(fetchJSON(root + "data/rows-" + i + ".json"));
    parts.push(fetchJSON(root + "data/names.json"));
    loading = Promise.all(parts).then(function (res) {
      var namesDoc = res.pop();
      decode(res.join(""));
      names = new Array(N); namesLower = [];
      for (var j = 0; j < namesDoc.index.length; j++) {
        names[namesDoc.index[j]] = namesDoc.name[j];
        namesLower.push([namesDoc.index[j], fold(namesDoc.name[j])]);
      }
    });
    return loading;
  }

  // Case- and accent-insensitive: "zoe" finds "Zoë", "jose" finds "José".
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function fetchJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function decode(text) {
    var lookup = new Int16Array(128);
    for (var a = 0; a < meta.alphabet.length; a++) lookup[meta.alphabet.charCodeAt(a)] = a;
    cols = {};
    meta.fields.forEach(function (f) { cols[f[0]] = new Int32Array(N); });
    var fields = meta.fields.map(function (f) { return [cols[f[0]], f[1]]; });
    var pos = 0;
    for (var i = 0; i < N; i++) {
      for (var k = 0; k < fields.length; k++) {
        var v = 0, w = fields[k][1];
        for (var c = 0; c < w; c++) v = v * 64 + lookup[text.charCodeAt(pos++)];
        fields[k][0][i] = v;
      }
    }
    var top = new Int32Array(N);
    for (var t = 0; t < N; t++) {
      var size = meta.group_sizes[cols.group[t]];
      top[t] = cols.rank[t] && size ? Math.max(1, Math.ceil(100 * cols.rank[t] / size)) : 1000;
    }
    cols.top = top;
  }

  function dayOf(input) {
    if (!input.value) return null;
    return Math.floor((Date.parse(input.value + "T00:00:00Z") - epoch) / DAY);
  }

  function groupMatches(attr, wanted) {
    var ok = meta.groups.map(function (g) {
      var p = g.split("/");
      return !wanted || p[attr] === wanted;
    });
    return ok;
  }

  function compute() {
    var el = form.elements;
    var kindOk = groupMatches(0, el.kind.value), backendOk = groupMatches(2, el.backend.value);
    var system = el.system.value === "" ? -1 : +el.system.value;
    var cohort = el.cohort.value === "" ? -1 : +el.cohort.value;
    var klass = el["class"] && el["class"].value !== "" ? +el["class"].value : -1;
    var ms = el.milestones.value === "" ? 0 : +el.milestones.value;
    var from = dayOf(el.from), to = dayOf(el.to);
    var q = fold(el.name.value.trim());
    var allow = null;
    if (q) {
      allow = new Uint8Array(N);
      for (var j = 0; j < namesLower.length; j++) if (namesLower[j][1].indexOf(q) !== -1) allow[namesLower[j][0]] = 1;
    }
    var out = new Int32Array(N), n = 0;
    var G = cols.group, S = cols.system, C = cols.cohort, M = cols.milestones, D = cols.day;
    for (var i = 0; i < N; i++) {
      var g = G[i];
      if (!kindOk[g] || !backendOk[g]) continue;
      if (system >= 0 && S[i] !== system) continue;
      if (cohort >= 0 && C[i] !== cohort) continue;
      if (klass >= 0 && cols["class"][i] !== klass) continue;
      if (M[i] < ms) continue;
      if (from !== null && D[i] < from) continue;
      if (to !== null && D[i] > to) continue;
      if (allow && !allow[i]) continue;
      out[n++] = i;
    }
    var idx = out.subarray(0, n);
    sortIndices(idx, el.sort.value);
    return idx;
  }

  function sortIndices(idx, key) {
    var k = null, dir = -1;  // -1: larger first
    if (key === "newest") return;  // board order is newest first
    if (key === "oldest") { idx.reverse(); return; }
    // Scores and standings mean different things in different groups (kind, suite
    // version, backend): those sorts keep each group together, best first within it.
    if (key === "score" || key === "top") {
      k = new Float64Array(N);
      for (var q = 0; q < N; q++) k[q] = cols.group[q] * 2048 + (key === "top" ? cols.top[q] : 1000 - cols.score[q]);
      dir = 1;
    }
    else if (key === "milestones") k = cols.milestones;
    else if (key === "modules") k = cols.modules;
    else if (key === "system") { k = rankOf(meta.systems, cols.system); dir = 1; }
    else if (key === "cohort") { k = cols.cohort; dir = -1; }
    else if (key === "name") { k = nameKey(); dir = 1; }
    if (!k) return;
    // Pack (key, position) into one float and let the engine's numeric sort do the
    // work: several times faster than a comparator over 100,000 entries. Ties keep
    // board order (newest first).
    var n = idx.length, packed = new Float64Array(n), span = N + 1;
    for (var j = 0; j < n; j++) packed[j] = (dir === 1 ? k[idx[j]] : 1e6 - k[idx[j]]) * span + j;
    packed.sort();
    var copy = idx.slice();
    for (var m = 0; m < n; m++) idx[m] = copy[packed[m] % span];
  }

  var nameKeyCache = null;
  function nameKey() {
    if (nameKeyCache) return nameKeyCache;
    var order = namesLower.slice().sort(function (a, b) { return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] - b[0]; });
    nameKeyCache = new Int32Array(N).fill(N);
    for (var r = 0; r < order.length; r++) nameKeyCache[order[r][0]] = r;
    return nameKeyCache;
  }

  function rankOf(labels, column) {
    var order = labels.map(function (l, i) { return [l.toLowerCase(), i]; }).sort();
    var pos = new Int32Array(labels.length);
    order.forEach(function (o, r) { pos[o[1]] = r; });
    var out = new Int32Array(N);
    for (var i = 0; i < N; i++) out[i] = pos[column[i]];
    return out;
  }

  function ids(indices) {
    var per = meta.ids_per_chunk, wanted = [];
    indices.forEach(function (i) {
      var c = Math.floor(i / per);
      if (!idChunks.has(c) && wanted.indexOf(c) === -1) wanted.push(c);
    });
    return Promise.all(wanted.map(function (c) {
      return fetchJSON(root + "data/ids/" + c + ".json").then(function (list) { idChunks.set(c, list); });
    })).then(function () {
      return indices.map(function (i) { return idChunks.get(Math.floor(i / per))[i % per]; });
    });
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    if (text !== null) td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function groupLabel(g) {
    var p = meta.groups[g].split("/");
    return p[0] + " · suite " + p[1] + " · " + p[2];
  }

  function dateOf(day) {
    return new Date(epoch + day * DAY).toISOString().slice(0, 10);
  }

  function render(started) {
    var size = meta.page_size, start = page * size;
    var shown = Array.prototype.slice.call(view.subarray(start, start + size));
    return ids(shown).then(function (sids) {
      var frag = document.createDocumentFragment();
      var grouped = form.elements.sort.value === "score" || form.elements.sort.value === "top";
      var lastGroup = -1;
      shown.forEach(function (i, r) {
        if (grouped && cols.group[i] !== lastGroup) {
          lastGroup = cols.group[i];
          var head = document.createElement("tr");
          head.className = "group-head";
          var th = document.createElement("th");
          th.colSpan = table.querySelectorAll("thead th").length;
          th.scope = "rowgroup";
          th.textContent = groupLabel(lastGroup) + " — ranked only among themselves";
          head.appendChild(th);
          frag.appendChild(head);
        }
        var tr = document.createElement("tr");
        cell(tr, dateOf(cols.day[i]));
        var link = document.createElement("a");
        link.href = root + "s/" + sids[r] + ".html";
        if (cols.public[i] && names[i] !== undefined) {
          var bdi = document.createElement("bdi");
          bdi.textContent = names[i];
          link.appendChild(bdi);
        } else {
          var anon = document.createElement("span");
          anon.className = "anon";
          anon.textContent = "anonymous";
          link.appendChild(anon);
        }
        cell(tr, null).appendChild(link);
        cell(tr, groupLabel(cols.group[i]));
        cell(tr, meta.systems[cols.system[i]]);
        cell(tr, cols.milestones[i] + "/" + meta.milestone_count, "num");
        cell(tr, cols.modules[i] + "/" + meta.module_count, "num");
        cell(tr, (cols.score[i] / 10).toFixed(1), "num");
        var st = cell(tr, null);
        if (cols.rank[i]) {
          st.appendChild(document.createTextNode("Top " + cols.top[i] + "%"));
          var small = document.createElement("small");
          small.textContent = " #" + cols.rank[i] + "/" + meta.group_sizes[cols.group[i]];
          st.appendChild(small);
        } else {
          var flag = document.createElement("span");
          flag.className = "flag";
          flag.textContent = "unverified";
          st.appendChild(flag);
        }
        cell(tr, cols.cohort[i] ? meta.cohorts[cols.cohort[i]] : "—");
        var bc = cell(tr, null), icons = "", labels = [];
        for (var b = 0; b < badgeDefs.length; b++) {
          if (cols.badges[i] & (1 << b)) { icons += badgeDefs[b][2]; labels.push(badgeDefs[b][1]); }
        }
        if (labels.length) {
          var s = document.createElement("span");
          s.className = "bi";
          s.title = labels.join(", ");
          s.setAttribute("aria-hidden", "true");
          s.textContent = icons;
          var vh = document.createElement("span");
          vh.className = "vh";
          vh.textContent = labels.join(", ");
          bc.appendChild(s);
          bc.appendChild(vh);
        }
        frag.appendChild(tr);
      });
      tbody.replaceChildren(frag);
      renderPager();
      table.setAttribute("aria-busy", "false");
      if (started) table.setAttribute("data-ms", String(Math.round(performance.now() - started)));
      document.body.setAttribute("data-ready", String(++renders));
    });
  }

  function renderPager() {
    var size = meta.page_size, total = view.length, pages = Math.max(1, Math.ceil(total / size));
    var first = total ? page * size + 1 : 0, last = Math.min(total, (page + 1) * size);
    status.textContent = total
      ? "Showing " + first.toLocaleString() + "–" + last.toLocaleString() + " of " + total.toLocaleString() + " matching results."
      : "No results match these filters yet. Try widening them.";
    var nav = document.createElement("nav");
    nav.className = "pager";
    nav.setAttribute("aria-label", "Pages");
    function button(label, target, disabled) {
      var bt = document.createElement("button");
      bt.type = "button";
      bt.textContent = label;
      bt.disabled = disabled;
      bt.addEventListener("click", function () { page = target; writeURL(); render(); });
      nav.appendChild(bt);
    }
    button("← Previous", page - 1, page === 0);
    var span = document.createElement("span");
    span.textContent = "Page " + (page + 1) + " of " + pages;
    nav.appendChild(span);
    button("Next →", page + 1, page >= pages - 1);
    pager.replaceChildren(nav);
  }

  var heroSort = document.getElementById("hero-sort");
  var heroDefault = heroSort ? heroSort.textContent : "";
  var HERO = {
    newest: heroDefault,
    oldest: "Oldest first: the earliest results lead.",
    milestones: "Most milestones first.",
    modules: "Most modules first.",
    score: "Highest score first.",
    top: "Best standing first (top % within each benchmark).",
    system: "Sorted by system.",
    cohort: "Sorted by cohort.",
    name: "Sorted by name."
  };
  function markHero() {
    if (heroSort) heroSort.textContent = HERO[form.elements.sort.value] || heroDefault;
  }

  // --- the view in the URL: every filter by name (labels, not list positions), the
  // sort unless it is the default, the page unless it is the first
  var FIELDS = ["kind", "backend", "system", "milestones", "cohort", "from", "to", "name", "sort"];
  function labelOf(name, value) {
    if (value === "") return "";
    if (name === "system") return meta.systems[+value];
    if (name === "cohort") return meta.cohorts[+value];
    return value;
  }
  function valueOf(name, label) {
    if (name === "system") { var s = meta.systems.indexOf(label); return s < 0 ? null : String(s); }
    if (name === "cohort") { var c = meta.cohorts.indexOf(label); return c < 1 ? null : String(c); }
    return label;
  }
  function writeURL() {
    var q = new URLSearchParams();
    FIELDS.forEach(function (name) {
      var v = labelOf(name, form.elements[name].value);
      if (v && !(name === "sort" && v === "newest")) q.set(name, v);
    });
    if (page > 0) q.set("page", String(page + 1));
    var text = q.toString();
    var url = location.pathname + (text ? "?" + text : "") + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
  }
  function readURL() {
    var q = new URLSearchParams(location.search), any = false;
    FIELDS.forEach(function (name) {
      if (!q.has(name)) return;
      var v = valueOf(name, q.get(name));
      var input = form.elements[name];
      if (v === null) return;
      if (input.tagName === "SELECT" && !Array.prototype.some.call(input.options, function (o) { return o.value === v; })) return;
      input.value = v;
      any = true;
    });
    var p = parseInt(q.get("page") || "1", 10);
    return { any: any || p > 1, page: p > 1 ? p - 1 : 0 };
  }

  function markSorted() {
    var key = form.elements.sort.value;
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      var k = th.getAttribute("data-sort");
      if (k === key || (k === "newest" && key === "oldest")) {
        th.setAttribute("aria-sort", key === "oldest" || key === "top" || key === "system" || key === "name" ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }

  var pending = 0, renders = 0;
  function apply(startPage) {
    var ticket = ++pending;
    table.setAttribute("aria-busy", "true");
    return load().then(function () {
      if (ticket !== pending) return;
      var started = performance.now();
      view = compute();
      var pages = Math.max(1, Math.ceil(view.length / meta.page_size));
      page = typeof startPage === "number" ? Math.min(startPage, pages - 1) : 0;
      markSorted();
      markHero();
      writeURL();
      return render(started);
    }).catch(function (err) {
      status.textContent = "Could not load the data for filtering (" + err.message + "). The pages below still list everyone.";
    });
  }

  // Column headers become sort buttons.
  table.querySelectorAll("th[data-sort]").forEach(function (th) {
    var bt = document.createElement("button");
    bt.type = "button";
    bt.className = "sort";
    bt.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(bt);
    bt.addEventListener("click", function () {
      var k = th.getAttribute("data-sort");
      var sel = form.elements.sort;
      sel.value = k === "newest" && sel.value === "newest" ? "oldest" : k;
      apply();
    });
  });

  var typing = null;
  form.addEventListener("input", function (ev) {
    if (ev.target.name === "name") {
      clearTimeout(typing);
      typing = setTimeout(apply, 120);
    } else {
      apply();
    }
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("focusin", function () { load(); }, { once: true });
  window.tinytorchBoard = { apply: apply, load: load };

  // A shared or reloaded view: restore it from the URL.
  var restored = readURL();
  if (restored.any) {
    document.getElementById("filter-box").open = true;
    apply(restored.page);
  }
})();
