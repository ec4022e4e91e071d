#!/usr/bin/env node
// Rewrites the `sources` of the bundle's source map so that they name files relative to the project
// (`lambda/consumer/handler.ts`) and to node_modules (`node_modules/<package>/...`) instead of relative
// to the folder esbuild wrote the bundle to. esbuild writes paths relative to the output folder, which
// differs between a laptop and CI (and between cdk.out folders), so the same code produced different
// bytes and a different asset hash everywhere it was synthesized.
// Usage: node normalize-source-map.cjs <output folder> <project root>
'use strict';
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const { resolve, relative, sep } = require('node:path');

const [outputDir, projectRoot] = process.argv.slice(2);
const mapPath = resolve(outputDir, 'index.js.map');
if (!existsSync(mapPath)) process.exit(0);
const map = JSON.parse(readFileSync(mapPath, 'utf8'));
const NODE_MODULES = `${sep}node_modules${sep}`;
map.sources = map.sources.map((source) => {
  const absolute = resolve(outputDir, source);
  const at = absolute.indexOf(NODE_MODULES);
  const stable = at === -1 ? relative(projectRoot, absolute) : absolute.slice(at + 1);
  return stable.split(sep).join('/');
});
delete map.sourceRoot;
writeFileSync(mapPath, JSON.stringify(map));
