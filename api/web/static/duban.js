/* duban pages: draw the embedded Plotly figures, open a project from the map, and the rule
   editor's check-as-you-type, dry run and publish. Loaded once, cached (versioned URL). */
(function () {
  "use strict";

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function drawPlots() {
    document.querySelectorAll("script.figure").forEach(function (node) {
      var fig = JSON.parse(node.textContent);
      var div = document.getElementById(node.dataset.target);
      Plotly.newPlot(div, fig.data, fig.layout, {responsive: true, displaylogo: false})
        .then(function () { div.dataset.drawn = "1"; });
      div.on("plotly_click", function (ev) {
        var p = ev.points && ev.points[0];
        var url = p && p.customdata && p.customdata[0];
        if (typeof url === "string" && url.charAt(0) === "/") { window.location.href = url; }
      });
    });
  }

  function postJSON(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"content-type": "application/json", "x-csrftoken": csrf()},
      body: JSON.stringify(body)}).then(function (r) {
        return r.json().then(function (j) { return {status: r.status, body: j}; });
      });
  }

  function ruleEditor(root) {
    var area = root.querySelector("textarea");
    var file = root.dataset.file;
    var lines = root.querySelector(".lines");
    var list = root.querySelector(".diagnostics");
    var status = root.querySelector(".status");
    var timer = null;
    function sources() { var s = {}; s[file] = area.value; return s; }
    function show(diags) {
      var byLine = {};
      diags.forEach(function (d) { (byLine[d.line] = byLine[d.line] || []).push(d); });
      lines.innerHTML = "";
      area.value.split("\n").forEach(function (text, i) {
        var row = document.createElement("div");
        row.className = "line" + (byLine[i + 1] ? " err" : "");
        row.dataset.line = String(i + 1);
        var no = document.createElement("span"); no.className = "no"; no.textContent = String(i + 1);
        var code = document.createElement("span"); code.textContent = text;
        row.appendChild(no); row.appendChild(code);
        (byLine[i + 1] || []).forEach(function (d) {
          var msg = document.createElement("span"); msg.className = "msg";
          msg.textContent = "  ← " + d.column + ": " + d.text; row.appendChild(msg);
        });
        lines.appendChild(row);
      });
      list.innerHTML = "";
      diags.forEach(function (d) {
        var li = document.createElement("li"); li.className = "diag";
        li.dataset.line = String(d.line);
        li.textContent = d.file + ":" + d.line + ":" + d.column + ": " + d.text;
        list.appendChild(li);
      });
      status.textContent = diags.length ? diags.length + " ✗" : root.dataset.ok;
      status.className = "status " + (diags.length ? "bad" : "good");
    }
    function check() {
      postJSON("/rules/check", {sources: sources()}).then(function (r) { show(r.body.diagnostics || []); });
    }
    area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 300); });
    root.querySelector("button.check").addEventListener("click", check);
    root.querySelector("button.dry-run").addEventListener("click", function () {
      var past = root.querySelector("input[name=past]").value;
      postJSON("/rules/dry-run", {sources: sources(), past: past || null}).then(function (r) {
        var out = root.querySelector(".dry-run-result");
        if (r.status !== 200) { show(r.body.diagnostics || []); out.textContent = r.body.message || "✗"; return; }
        out.innerHTML = "";
        r.body.days.forEach(function (d) {
          var p = document.createElement("p"); p.className = "day"; p.dataset.day = d.day;
          p.textContent = d.day + ": " + root.dataset.would + " " + d.red + " " + root.dataset.red +
            ", " + d.yellow + " " + root.dataset.yellow + (d.errors.length ? " — " + d.errors.join("; ") : "");
          out.appendChild(p);
        });
      });
    });
    root.querySelector("button.publish").addEventListener("click", function () {
      postJSON("/rules/publish", {sources: sources()}).then(function (r) {
        var out = root.querySelector(".publish-result");
        if (r.status !== 200) { show(r.body.diagnostics || []); out.textContent = r.body.message || "✗"; return; }
        out.textContent = r.body.message; out.dataset.version = String(r.body.version);
      });
    });
    check();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.Plotly) { drawPlots(); }
    document.querySelectorAll(".rule-editor").forEach(ruleEditor);
  });
})();
