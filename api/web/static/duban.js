/* duban pages: draw the embedded Plotly figures, open a project from the map, and the rule
   editor's check-as-you-type, dry run and publish. Loaded once, cached (versioned URL). */
(function () {
  "use strict";

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  /* One figure at a time, in page order, yielding to the browser between them: the first
     chart is on screen while the others are still being laid out (drawing all of them in one
     task showed none until the last was done). */
  function drawPlots() {
    var nodes = Array.prototype.slice.call(document.querySelectorAll("script.figure"));
    function draw(i) {
      if (i >= nodes.length) { return; }
      var node = nodes[i];
      var fig = JSON.parse(node.textContent);
      var div = document.getElementById(node.dataset.target);
      var next = function () { setTimeout(function () { draw(i + 1); }, 0); };
      /* a figure with nothing to draw says so in its own (short) height, not the chart's */
      if (fig.layout && fig.layout.meta && fig.layout.meta.no_data) { div.classList.add("no-data"); }
      Plotly.newPlot(div, fig.data, fig.layout, {responsive: true, displaylogo: false})
        .then(function () { div.dataset.drawn = "1"; next(); }, next);
      div.on("plotly_click", function (ev) {
        var p = ev.points && ev.points[0];
        var url = p && p.customdata && p.customdata[0];
        if (typeof url === "string" && url.charAt(0) === "/") { window.location.href = url; }
      });
    }
    draw(0);
  }

  function postJSON(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"content-type": "application/json", "x-csrftoken": csrf()},
      body: JSON.stringify(body)}).then(function (r) {
        return r.json().then(function (j) { return {status: r.status, body: j}; });
      });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? String(values[key]) : all; });
  }

  /* The rule editor: every file of the rulebook is checked together as the user types (the
     server sees the whole rulebook publishing would make); each error is marked in its own
     file, and every mark is redrawn from the latest answer only, so a fixed error leaves none. */
  function ruleBook(root) {
    var status = root.querySelector(".status");
    var editors = root.querySelector(".editors");
    var publishOut = root.querySelector(".publish-result");
    var seq = 0;
    var timer = null;

    function files() { return Array.prototype.slice.call(editors.querySelectorAll(".rule-editor")); }
    function sources() {
      var s = {};
      files().forEach(function (ed) { s[ed.dataset.file] = ed.querySelector("textarea").value; });
      return s;
    }
    function mark(ed, diags) {
      var lines = ed.querySelector(".lines");
      var list = ed.querySelector(".diagnostics");
      var fileStatus = ed.querySelector(".file-status");
      var byLine = {};
      diags.forEach(function (d) { (byLine[d.line] = byLine[d.line] || []).push(d); });
      lines.innerHTML = ""; list.innerHTML = "";
      lines.hidden = diags.length === 0;
      fileStatus.textContent = diags.length ? diags.length + " ✗" : "";
      fileStatus.className = "file-status" + (diags.length ? " bad" : "");
      ed.classList.toggle("has-errors", diags.length > 0);
      if (!diags.length) { return; }
      // each marked line with two lines either side, not the whole file again
      var text = ed.querySelector("textarea").value.split("\n");
      var shown = -1;
      text.forEach(function (line, i) {
        var near = false;
        for (var k = i - 1; k <= i + 3; k++) { if (byLine[k]) { near = true; } }
        if (!near) { return; }
        if (shown >= 0 && i > shown + 1) { lines.appendChild(el("div", "gap", "⋯")); }
        shown = i;
        var row = el("div", "line" + (byLine[i + 1] ? " err" : ""));
        row.dataset.line = String(i + 1);
        row.appendChild(el("span", "no", String(i + 1)));
        row.appendChild(el("span", "code", line));
        (byLine[i + 1] || []).forEach(function (d) { row.appendChild(el("span", "msg", "  ← " + d.text)); });
        lines.appendChild(row);
      });
      diags.forEach(function (d) {
        var li = el("li", "diag");
        li.dataset.line = String(d.line);
        li.appendChild(el("span", "place", d.place));
        li.appendChild(document.createTextNode("：" + d.text));
        list.appendChild(li);
      });
    }
    function goTo(d) {
      var ed = files().filter(function (e) { return e.dataset.file === d.file; })[0];
      if (!ed) { return; }
      var area = ed.querySelector("textarea");
      var start = 0, rows = area.value.split("\n");
      for (var i = 0; i < d.line - 1 && i < rows.length; i++) { start += rows[i].length + 1; }
      ed.scrollIntoView({block: "start"});
      area.focus();
      area.setSelectionRange(start + d.column - 1, start + Math.max(d.end_column - 1, d.column));
      area.scrollTop = Math.max(0, (d.line - 3) * parseFloat(getComputedStyle(area).lineHeight || "16"));
    }
    function showDiagnostics(diags) {
      files().forEach(function (ed) {
        mark(ed, diags.filter(function (d) { return d.file === ed.dataset.file; }));
      });
      var all = root.querySelector(".all-diagnostics");
      all.innerHTML = "";
      diags.forEach(function (d) {
        var li = el("li", "diag"); li.dataset.file = d.file; li.dataset.line = String(d.line);
        var a = el("a", "place", d.place); a.href = "#"; li.appendChild(a);
        a.addEventListener("click", function (ev) { ev.preventDefault(); goTo(d); });
        li.appendChild(document.createTextNode("：" + d.text));
        all.appendChild(li);
      });
    }
    function showCosts(costs) {
      var card = root.querySelector(".costs-card");
      var body = card.querySelector("tbody");
      body.innerHTML = "";
      (costs || []).forEach(function (c) {
        var tr = el("tr", "cost-row"); tr.dataset.rule = c.name;
        tr.appendChild(el("td", "", c.title ? c.title + "（" + c.name + "）" : c.name));
        tr.appendChild(el("td", "", c.file + ":" + c.line));
        var num = el("td", "num", Number(c.cost).toLocaleString("zh-CN"));
        if (c.over) { tr.className += " over"; num.appendChild(el("span", "bad", " " + root.dataset.over)); }
        tr.appendChild(num);
        tr.appendChild(el("td", "", c.because));
        body.appendChild(tr);
      });
      card.hidden = !(costs && costs.length);
      var top = costs && costs[0];
      card.querySelector(".dearest").textContent = top ? fill(root.dataset.dearest, {cost: Number(top.cost).toLocaleString("zh-CN"), rule: top.title || top.name}) : "";
    }
    function showWarnings(warnings) {
      var box = root.querySelector(".warnings");
      var list = box.querySelector("ul");
      list.innerHTML = "";
      warnings.forEach(function (w) {
        var li = el("li", "warning"); li.dataset.file = w.file; li.dataset.line = String(w.line);
        var a = el("a", "place", w.place); a.href = "#"; li.appendChild(a);
        a.addEventListener("click", function (ev) { ev.preventDefault(); goTo({file: w.file, line: w.line, column: w.column, end_column: w.column + 1}); });
        li.appendChild(document.createTextNode("：" + w.text));
        list.appendChild(li);
      });
      box.hidden = warnings.length === 0;
    }
    function setStatus(ok, message) {
      status.textContent = message;
      status.className = "status " + (ok ? "good" : "bad");
    }
    function check() {
      var mine = ++seq;
      return postJSON("/rules/check", {sources: sources()}).then(function (r) {
        if (mine !== seq) { return r; }  // a later check is on its way: only the latest marks
        if (r.status !== 200) { showDiagnostics([]); showWarnings([]); setStatus(false, r.body.message || "✗"); return r; }
        showDiagnostics(r.body.diagnostics || []);
        setStatus(r.body.ok, r.body.message);
        showCosts(r.body.costs);
        showWarnings(r.body.warnings || []);
        return r;
      });
    }
    function refused(r, out) {
      showDiagnostics(r.body.diagnostics || []);
      out.textContent = r.body.message || "✗";
      out.className = out.className.replace(/ ?\b(good|bad)\b/g, "") + " bad";
    }
    function watch(ed) {
      ed.querySelector("textarea").addEventListener("input", function () {
        publishOut.textContent = "";
        clearTimeout(timer); timer = setTimeout(check, 300);
      });
    }
    files().forEach(watch);

    root.querySelector("button.check").addEventListener("click", check);
    root.querySelector("button.dry-run").addEventListener("click", function () {
      var past = root.querySelector("input[name=past]").value;
      var card = root.querySelector(".dry-run-card");
      var out = card.querySelector(".dry-run-result");
      postJSON("/rules/dry-run", {sources: sources(), past: past || null}).then(function (r) {
        card.hidden = false;
        out.innerHTML = "";
        if (r.status !== 200) { refused(r, out.appendChild(el("p", "error"))); return; }
        r.body.days.forEach(function (d) {
          var section = el("section", "day"); section.dataset.day = d.day;
          section.appendChild(el("h3", "", d.summary));
          if (d.findings.length) {
            var table = el("table", "would-light");
            var head = el("tr");
            root.dataset.heads.split("|").forEach(function (h) { head.appendChild(el("th", "", h)); });
            table.appendChild(head);
            d.findings.forEach(function (f) {
              var tr = el("tr", "finding " + f.level); tr.dataset.subject = f.subject; tr.dataset.level = f.level;
              var light = el("td", "nowrap"); light.appendChild(el("span", "light " + f.level));
              light.appendChild(document.createTextNode(" " + f.level_text)); tr.appendChild(light);
              tr.appendChild(el("td", "name", f.name));
              tr.appendChild(el("td", "", f.title || f.rule));
              tr.appendChild(el("td", "because", f.message === f.title ? "" : f.message));
              table.appendChild(tr);
            });
            section.appendChild(table);
          }
          if (d.more) { section.appendChild(el("p", "more", fill(root.dataset.more, {n: d.more}))); }
          if (d.errors.length) { section.appendChild(el("p", "error", root.dataset.failed + "：" + d.errors.join("；"))); }
          out.appendChild(section);
        });
      });
    });
    root.querySelector("button.publish").addEventListener("click", function () {
      postJSON("/rules/publish", {sources: sources()}).then(function (r) {
        if (r.status !== 200) { refused(r, publishOut); delete publishOut.dataset.version; return; }
        showDiagnostics([]);
        publishOut.textContent = r.body.message; publishOut.className = "publish-result good";
        publishOut.dataset.version = String(r.body.version);
      });
    });
    root.querySelector("button.add-file").addEventListener("click", function () {
      var input = root.querySelector("input[name=new_file]");
      var out = root.querySelector(".add-file-result");
      var name = input.value.trim();
      if (!/\.rules$/.test(name) && name && name.indexOf(".") < 0) { name += ".rules"; }
      out.textContent = "";
      if (files().some(function (ed) { return ed.dataset.file === name; })) {
        out.textContent = fill(root.dataset.exists, {name: name}); return;
      }
      var trial = sources(); trial[name] = "";
      postJSON("/rules/check", {sources: trial}).then(function (r) {
        if (r.status !== 200) { out.textContent = r.body.message || "✗"; return; }
        var ed = el("div", "card rule-editor"); ed.dataset.file = name;
        var h = el("h2", "", name + " "); h.appendChild(el("span", "file-status")); ed.appendChild(h);
        var area = el("textarea"); area.spellcheck = false; area.name = "source"; area.setAttribute("aria-label", name);
        ed.appendChild(area);
        var lines = el("div", "lines"); lines.hidden = true; ed.appendChild(lines);
        ed.appendChild(el("ul", "diagnostics"));
        editors.appendChild(ed);
        watch(ed);
        input.value = "";
        area.focus();
        check();
      });
    });
    check();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.Plotly) { drawPlots(); }
    document.querySelectorAll(".rulebook").forEach(ruleBook);
  });
})();
