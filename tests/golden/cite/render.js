#!/usr/bin/env node
// Regenerates the golden citation files with citeproc-js, the CSL engine of Zotero
// and Mendeley.  Development only: the outputs are committed and the tests never run
// node.
//
//   cd tests/golden/cite && npm install && PYTHON=path/to/python node render.js
//
// The input comes from opmlbib itself (golden_input.py): the
// CSL-JSON items that `opmlbib cite` feeds to citeproc-py, the sanitized XML of every
// golden style, and the locale files citeproc-py uses, so both engines see exactly the
// same data.  For each style it writes <style>.json:
//
//   order         ids in bibliography order (all items cited in library order)
//   bibliography  id -> bibliography entry, plain text
//   citations     id -> in-text citation of that item alone
//   clusters      [[ids], text]: in-text citations of several items in one cluster

"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const CSL = require("citeproc");

const here = __dirname;
const python = process.env.PYTHON || "python3";
const input = JSON.parse(
  execFileSync(python, [path.join(here, "golden_input.py")], {
    cwd: path.resolve(here, "..", "..", ".."),
    maxBuffer: 64 * 1024 * 1024,
  }).toString("utf8")
);

const itemsById = {};
for (const item of input.items) itemsById[item.id] = item;
const ids = input.items.map((item) => item.id);

function engineFor(style) {
  const sys = {
    retrieveLocale: (lang) => input.locales[lang] || input.locales[style.locale] || input.locales["en-US"],
    retrieveItem: (id) => JSON.parse(JSON.stringify(itemsById[id])),
  };
  const engine = new CSL.Engine(sys, style.xml, style.locale, true);
  engine.setOutputFormat("text");
  engine.updateItems(ids);
  return engine;
}

function clean(text) {
  return text.replace(/\s+$/, "");
}

for (const style of input.styles) {
  const out = { style: style.name, locale: style.locale, order: [], bibliography: {}, citations: {}, clusters: [] };
  if (style.has_bibliography) {
    const engine = engineFor(style);
    const [meta, entries] = engine.makeBibliography();
    meta.entry_ids.forEach((entryIds, index) => {
      const id = entryIds[0];
      out.order.push(id);
      out.bibliography[id] = clean(entries[index]);
    });
  }
  for (const id of ids) {
    const engine = engineFor(style);
    out.citations[id] = clean(engine.makeCitationCluster([{ id }]));
  }
  for (const cluster of input.clusters) {
    const engine = engineFor(style);
    out.clusters.push([cluster, clean(engine.makeCitationCluster(cluster.map((id) => ({ id }))))]);
  }
  fs.writeFileSync(path.join(here, `${style.name}.json`), JSON.stringify(out, null, 2) + "\n");
  console.log(`${style.name}: ${out.order.length} entries`);
}
