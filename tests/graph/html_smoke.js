// Runs the HTML export's script against a tiny fake DOM (no browser, no jsdom):
// node html_smoke.js page.html  -> prints a JSON summary of what the script built.
"use strict";
const fs = require("fs");

class ClassList {
  constructor() { this.set = new Set(); }
  add(c) { this.set.add(c); }
  remove(c) { this.set.delete(c); }
  contains(c) { return this.set.has(c); }
  toggle(c, on) {
    const want = on === undefined ? !this.set.has(c) : !!on;
    if (want) { this.set.add(c); } else { this.set.delete(c); }
    return want;
  }
}

class El {
  constructor(tag) {
    this.tag = tag; this.attrs = {}; this.children = []; this.listeners = {};
    this.classList = new ClassList(); this.style = {}; this.textContent = "";
    this.clientWidth = 1000; this.clientHeight = 700; this.value = ""; this.checked = false;
  }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  getAttribute(k) { return this.attrs[k]; }
  appendChild(c) { this.children.push(c); return c; }
  removeChild(c) { this.children = this.children.filter((x) => x !== c); return c; }
  get firstChild() { return this.children[0] || null; }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  fire(type, ev) { (this.listeners[type] || []).forEach((fn) => fn(Object.assign({ stopPropagation() {}, preventDefault() {} }, ev || {}))); }
  getBoundingClientRect() { return { left: 0, top: 0 }; }
}

const page = fs.readFileSync(process.argv[2], "utf8");
const dataText = page.match(/<script type="application\/json" id="graph-data">([\s\S]*?)<\/script>/)[1];
const code = page.match(/<script>([\s\S]*?)<\/script>/)[1];

const byId = {};
["canvas", "viewport", "details", "search", "zoom-in", "zoom-out", "fit", "kinds"].forEach((id) => { byId[id] = new El(id); });
byId["graph-data"] = new El("script");
byId["graph-data"].textContent = dataText;
const all = [];
global.document = {
  getElementById: (id) => byId[id],
  createElementNS: (ns, tag) => { const e = new El(tag); e.ns = ns; all.push(e); return e; },
  createElement: (tag) => { const e = new El(tag); all.push(e); return e; },
  createTextNode: (text) => { const e = new El("#text"); e.textContent = text; return e; },
  createDocumentFragment: () => new El("#fragment"),
};
const windowListeners = {};
global.window = { addEventListener: (type, fn) => { windowListeners[type] = fn; } };

new Function(code)();

const nodes = all.filter((e) => e.tag === "g" && e.attrs.class === "node");
const edges = all.filter((e) => e.tag === "path" && e.attrs.class === "edge");
const before = byId.viewport.attrs.transform;
nodes[0].fire("click");
const detailsAfterClick = byId.details.children.length;
const selectedTitle = byId.details.children[0] ? byId.details.children[0].textContent : null;
byId.search.value = process.argv[3] || "nginx";
byId.search.fire("input");
const matches = nodes.filter((n) => n.classList.contains("match")).length;
byId.search.fire("keydown", { key: "Enter" });
byId.canvas.fire("wheel", { deltaY: -1, clientX: 10, clientY: 10 });
const checkbox = all.find((e) => e.tag === "input");
checkbox.checked = false;
checkbox.fire("change");
const hidden = nodes.filter((n) => n.classList.contains("hidden")).length;
byId.canvas.fire("pointerdown", { clientX: 0, clientY: 0 });
windowListeners.pointermove({ clientX: 30, clientY: 40 });
windowListeners.pointerup({});
console.log(JSON.stringify({
  nodes: nodes.length, edges: edges.length, detailsAfterClick, selectedTitle, matches, hidden,
  svgNamespace: nodes[0].ns, transformChanged: before !== byId.viewport.attrs.transform,
}));
