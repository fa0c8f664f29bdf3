// compare.html?a=<id>&b=<id>: two results side by side, read from api/results/<2 hex>.json
// (see board/site/api.py result_files). Values are placed with textContent only.
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  var status = document.getElementById("compare-status");
  var wrap = document.getElementById("compare-wrap");
  var table = document.getElementById("compare-table");
  if (!form || !table) return;
  var ID = /^[0-9a-f]{32}$/;
  var params = new URLSearchParams(location.search);
  var a = (params.get("a") || "").trim().toLowerCase(), b = (params.get("b") || "").trim().toLowerCase();
  form.hidden = false;
  form.elements.a.value = a;
  form.elements.b.value = b;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = new URLSearchParams({ a: form.elements.a.value.trim().toLowerCase(), b: form.elements.b.value.trim().toLowerCase() });
    location.search = "?" + q.toString();
  });
  if (!a && !b) {
    status.textContent = "Give two result ids (each result's page links here for its author's earlier results).";
    return;
  }
  if (!ID.test(a) || !ID.test(b)) {
    status.textContent = "A result id is 32 characters 0-9 and a-f, as in s/<id>.html; check both.";
    return;
  }
  var files = {};
  function record(id) {
    var prefix = id.slice(0, 2);
    if (!files[prefix]) {
      files[prefix] = fetch("api/results/" + prefix + ".json").then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error("api/results/" + prefix + ".json: " + r.status);
        return r.json();
      });
    }
    return files[prefix].then(function (doc) {
      if (!doc || !doc.results[id]) return null;
      var row = doc.results[id], out = {};
      doc.fields.forEach(function (f, i) { out[f] = row[i]; });
      out.id = id;
      return out;
    });
  }
  status.textContent = "Loading both results…";
  Promise.all([record(a), record(b)]).then(function (rs) {
    var missing = [a, b].filter(function (id, i) { return !rs[i]; });
    if (missing.length) {
      status.textContent = "Not on this board (withdrawn, or a mistyped id): " + missing.map(function (id) { return id.slice(0, 8); }).join(", ") + ".";
      return;
    }
    render(rs[0], rs[1]);
    status.textContent = "Comparing " + a.slice(0, 8) + " with " + b.slice(0, 8) + ".";
    document.body.setAttribute("data-ready", "1");
  }).catch(function (err) {
    status.textContent = "Could not load the results (" + err.message + ").";
  });

  function th(tr, text, scope) {
    var cell = document.createElement("th");
    cell.scope = scope;
    cell.textContent = text;
    tr.appendChild(cell);
    return cell;
  }
  function render(x, y) {
    var head = document.createElement("tr");
    th(head, "", "col");
    [x, y].forEach(function (r) {
      var cell = th(head, "", "col");
      var link = document.createElement("a");
      link.href = "s/" + r.id + ".html";
      link.textContent = r.id.slice(0, 8);
      cell.appendChild(link);
    });
    table.tHead.replaceChildren(head);
    var rows = [
      ["Score", function (r) { return r.score.toFixed(1); }],
      ["Benchmark", function (r) { return r.kind + " · suite " + r.suite_version + " · " + r.backend; }],
      ["Date", function (r) { return r.created_at.slice(0, 10); }],
      ["Name", function (r) { return r.display_name || "anonymous"; }],
    ];
    var metrics = [];
    [x, y].forEach(function (r) {
      Object.keys(r.metrics_ms || {}).forEach(function (m) { if (metrics.indexOf(m) === -1) metrics.push(m); });
    });
    metrics.sort().forEach(function (m) {
      rows.push([m.replace(/_/g, " ") + " (median ms)", function (r) {
        var v = (r.metrics_ms || {})[m];
        return v === undefined || v === null ? "—" : String(v);
      }]);
    });
    var tracks = [];
    [x, y].forEach(function (r) {
      Object.keys(r.tracks || {}).forEach(function (t) { if (tracks.indexOf(t) === -1) tracks.push(t); });
    });
    tracks.sort().forEach(function (t) {
      rows.push([t + " track score", function (r) {
        var v = (r.tracks || {})[t];
        return v === undefined || v === null ? "did not run" : Number(v).toFixed(1);
      }]);
    });
    rows.push(
      ["System", function (r) { return r.system_type + " · " + r.cpu_cores + " cores · " + r.memory_gb + " GB"; }],
      ["Modules", function (r) { return r.modules_completed + "/20"; }],
      ["Milestones", function (r) { return r.milestones_completed.length + "/6" + (r.milestones_completed.length ? " (" + r.milestones_completed.join(", ") + ")" : ""); }]
    );
    var body = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      th(tr, row[0], "row");
      [x, y].forEach(function (r) {
        var td = document.createElement("td");
        td.textContent = row[1](r);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.tBodies[0].replaceChildren(body);
    wrap.hidden = false;
  }
})();
