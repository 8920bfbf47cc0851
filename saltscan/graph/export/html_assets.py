"""CSS and JavaScript of the HTML export, inlined into the one file it writes.

No library, no network: the script draws the precomputed layout as SVG and adds pan
(drag), zoom (wheel, buttons), search, a filter by node kind and a details panel
(click a node: kind, id, source file:line, attributes, edges). Text goes in through
``textContent`` only, never ``innerHTML``.
"""

CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 13px/1.35 Helvetica, Arial, sans-serif; color: #222; }
body { display: grid; grid-template-columns: 1fr 320px; grid-template-rows: auto 1fr; height: 100vh; }
#toolbar { grid-column: 1 / 3; display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center;
  padding: 6px 10px; border-bottom: 1px solid #ddd; background: #fafafa; }
#toolbar h1 { font-size: 14px; margin: 0 8px 0 0; }
#search { width: 220px; padding: 3px 6px; }
#kinds label { margin-right: 8px; white-space: nowrap; cursor: pointer; }
.swatch { display: inline-block; width: 10px; height: 10px; border: 1px solid #666; margin: 0 3px; vertical-align: -1px; }
#canvas { width: 100%; height: 100%; cursor: grab; background: #fff; }
#canvas.dragging { cursor: grabbing; }
#details { border-left: 1px solid #ddd; padding: 8px 10px; overflow: auto; background: #fcfcfc; }
#details h2 { font-size: 13px; margin: 4px 0; word-break: break-all; }
#details table { border-collapse: collapse; width: 100%; }
#details td { border-top: 1px solid #eee; padding: 2px 4px; vertical-align: top; word-break: break-all; }
#details td:first-child { color: #666; white-space: nowrap; }
#details ul { padding-left: 16px; margin: 4px 0; }
#details a { color: #1f5fa8; cursor: pointer; }
.node rect { stroke-width: 1.2; }
.node text { font-size: 11px; pointer-events: none; }
.node { cursor: pointer; }
.node.match rect { stroke: #e00000; stroke-width: 3; }
.node.selected rect { stroke: #000; stroke-width: 3; }
.dim { opacity: 0.15; }
.edge { fill: none; stroke-width: 1.2; }
.edge.hl { stroke-width: 2.6; }
.hidden { display: none; }
button { padding: 2px 8px; }
"""

JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var SVGNS = "http" + "://www.w3.org/2000/svg";
  var svg = document.getElementById("canvas");
  var viewport = document.getElementById("viewport");
  var details = document.getElementById("details");
  var view = { x: 0, y: 0, k: 1 };
  var hiddenKinds = {};
  var selected = null;
  var nodeEls = [];
  var edgeEls = [];

  function make(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function applyView() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }

  function edgePath(a, b) {
    var x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
    if (x2 < x1) { x1 = a.x; x2 = b.x + b.w; }
    var dx = Math.max(30, Math.abs(x2 - x1) / 2) * (x2 < x1 ? -1 : 1);
    return "M" + x1 + "," + y1 + " C" + (x1 + dx) + "," + y1 + " " + (x2 - dx) + "," + y2 + " " + x2 + "," + y2;
  }

  function draw() {
    var defs = make("defs", {}, viewport);
    Object.keys(data.edgeStyles).forEach(function (kind) {
      var m = make("marker", { id: "arrow-" + kind, viewBox: "0 0 10 10", refX: "10", refY: "5",
        markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
      make("path", { d: "M0,0 L10,5 L0,10 z", fill: data.edgeStyles[kind].color }, m);
    });
    var edgeLayer = make("g", {}, viewport);
    var nodeLayer = make("g", {}, viewport);
    data.edges.forEach(function (edge, i) {
      var st = data.edgeStyles[edge.kind] || { color: "#000", dash: "" };
      var p = make("path", { "class": "edge", d: edgePath(data.nodes[edge.s], data.nodes[edge.t]),
        stroke: st.color, "stroke-dasharray": st.dash, "marker-end": "url(#arrow-" + edge.kind + ")" }, edgeLayer);
      var title = make("title", {}, p);
      title.textContent = edge.kind + (edge.src ? " " + edge.src : "");
      edgeEls[i] = p;
    });
    data.nodes.forEach(function (node, i) {
      var st = data.nodeStyles[node.kind] || { fill: "#fff", stroke: "#000" };
      var g = make("g", { "class": "node", transform: "translate(" + node.x + "," + node.y + ")" }, nodeLayer);
      make("rect", { width: node.w, height: node.h, rx: node.kind === "state" ? 8 : 2,
        fill: st.fill, stroke: st.stroke }, g);
      var text = make("text", { x: node.w / 2, y: 6, "text-anchor": "middle" }, g);
      node.lines.forEach(function (line, j) {
        var t = make("tspan", { x: node.w / 2, dy: j === 0 ? "1.1em" : "1.2em" }, text);
        t.textContent = line;
      });
      var title = make("title", {}, g);
      title.textContent = node.id + (node.src ? "\n" + node.src : "");
      g.addEventListener("click", function (ev) { ev.stopPropagation(); select(i); });
      nodeEls[i] = g;
    });
  }

  function fit() {
    var w = svg.clientWidth || 800, h = svg.clientHeight || 600;
    if (!data.nodes.length) { return; }
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    data.nodes.forEach(function (n) {
      minX = Math.min(minX, n.x); minY = Math.min(minY, n.y);
      maxX = Math.max(maxX, n.x + n.w); maxY = Math.max(maxY, n.y + n.h);
    });
    view.k = Math.min(2, 0.95 * Math.min(w / (maxX - minX + 1), h / (maxY - minY + 1)));
    view.x = (w - (maxX - minX) * view.k) / 2 - minX * view.k;
    view.y = (h - (maxY - minY) * view.k) / 2 - minY * view.k;
    applyView();
  }

  function centerOn(i) {
    var n = data.nodes[i], w = svg.clientWidth || 800, h = svg.clientHeight || 600;
    view.k = Math.max(view.k, 1);
    view.x = w / 2 - (n.x + n.w / 2) * view.k;
    view.y = h / 2 - (n.y + n.h / 2) * view.k;
    applyView();
  }

  function zoomAt(factor, cx, cy) {
    var k = Math.min(8, Math.max(0.02, view.k * factor));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }

  function refreshVisibility() {
    data.nodes.forEach(function (n, i) {
      nodeEls[i].classList.toggle("hidden", !!hiddenKinds[n.kind]);
    });
    data.edges.forEach(function (e, i) {
      var off = hiddenKinds[data.nodes[e.s].kind] || hiddenKinds[data.nodes[e.t].kind];
      edgeEls[i].classList.toggle("hidden", !!off);
    });
  }

  function search(query) {
    var q = query.trim().toLowerCase(), first = -1;
    data.nodes.forEach(function (n, i) {
      var hit = q !== "" && (n.id.toLowerCase().indexOf(q) >= 0 || n.lines.join(" ").toLowerCase().indexOf(q) >= 0);
      nodeEls[i].classList.toggle("match", hit);
      nodeEls[i].classList.toggle("dim", q !== "" && !hit);
      if (hit && first < 0) { first = i; }
    });
    edgeEls.forEach(function (e) { e.classList.toggle("dim", q !== ""); });
    return first;
  }

  function addRow(table, key, value) {
    var tr = document.createElement("tr");
    var a = document.createElement("td"), b = document.createElement("td");
    a.textContent = key; b.textContent = value;
    tr.appendChild(a); tr.appendChild(b); table.appendChild(tr);
  }

  function edgeList(title, pairs) {
    var frag = document.createDocumentFragment();
    var h = document.createElement("h2"); h.textContent = title + " (" + pairs.length + ")";
    frag.appendChild(h);
    var ul = document.createElement("ul");
    pairs.forEach(function (pair) {
      var li = document.createElement("li"), link = document.createElement("a");
      link.textContent = data.nodes[pair.other].id;
      link.addEventListener("click", function () { select(pair.other); centerOn(pair.other); });
      li.appendChild(document.createTextNode(pair.kind + " "));
      li.appendChild(link);
      ul.appendChild(li);
    });
    frag.appendChild(ul);
    return frag;
  }

  function select(i) {
    if (selected !== null) { nodeEls[selected].classList.remove("selected"); }
    edgeEls.forEach(function (e) { e.classList.remove("hl"); });
    selected = i;
    var n = data.nodes[i];
    nodeEls[i].classList.add("selected");
    while (details.firstChild) { details.removeChild(details.firstChild); }
    var h = document.createElement("h2"); h.textContent = n.id; details.appendChild(h);
    var table = document.createElement("table");
    addRow(table, "kind", n.kind);
    addRow(table, "source", n.src || "(none)");
    Object.keys(n.attrs).forEach(function (k) { addRow(table, k, n.attrs[k]); });
    details.appendChild(table);
    var outs = [], ins = [];
    data.edges.forEach(function (e, j) {
      if (e.s === i) { outs.push({ kind: e.kind, other: e.t }); edgeEls[j].classList.add("hl"); }
      if (e.t === i) { ins.push({ kind: e.kind, other: e.s }); edgeEls[j].classList.add("hl"); }
    });
    details.appendChild(edgeList("out", outs));
    details.appendChild(edgeList("in", ins));
  }

  function wire() {
    var drag = null;
    svg.addEventListener("pointerdown", function (ev) {
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
      svg.classList.add("dragging");
    });
    window.addEventListener("pointermove", function (ev) {
      if (!drag) { return; }
      view.x = drag.vx + ev.clientX - drag.x;
      view.y = drag.vy + ev.clientY - drag.y;
      applyView();
    });
    window.addEventListener("pointerup", function () { drag = null; svg.classList.remove("dragging"); });
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var r = svg.getBoundingClientRect();
      zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    document.getElementById("zoom-in").addEventListener("click", function () {
      zoomAt(1.25, svg.clientWidth / 2, svg.clientHeight / 2);
    });
    document.getElementById("zoom-out").addEventListener("click", function () {
      zoomAt(0.8, svg.clientWidth / 2, svg.clientHeight / 2);
    });
    document.getElementById("fit").addEventListener("click", fit);
    var box = document.getElementById("search");
    box.addEventListener("input", function () { search(box.value); });
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        var first = search(box.value);
        if (first >= 0) { select(first); centerOn(first); }
      }
    });
    var kinds = document.getElementById("kinds");
    data.kinds.forEach(function (kind) {
      var label = document.createElement("label"), cb = document.createElement("input");
      cb.type = "checkbox"; cb.checked = true;
      cb.addEventListener("change", function () { hiddenKinds[kind] = !cb.checked; refreshVisibility(); });
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = (data.nodeStyles[kind] || {}).fill || "#fff";
      label.appendChild(cb); label.appendChild(sw); label.appendChild(document.createTextNode(kind));
      kinds.appendChild(label);
    });
  }

  draw();
  wire();
  fit();
})();
"""
