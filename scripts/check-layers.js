#!/usr/bin/env node
/**
 * The layers of src/, and the rule that imports point down and never circle
 * (docs/architecture.md): a file imports from its own layer or a lower one. Type-only
 * imports count too (a type in a lower layer must not need a higher one). Run by
 * `npm run lint`; test/layers.test.ts shows that an upward import fails it.
 */
const fs = require('node:fs');
const path = require('node:path');

/** Lowest first. The simulator is apart: it imports only itself. */
const LAYERS = [
  ['errors.ts', 'text.ts'],
  ['cluster'],
  ['clients'],
  ['domain'],
  ['render'],
  ['cli'],
  ['commands'],
  ['index.ts'],
  ['main.ts'],
];

function layerOf(relative) {
  const top = relative.split('/')[0];
  if (top === 'sim') return 'sim';
  const index = LAYERS.findIndex((names) => names.includes(top));
  return index < 0 ? undefined : index;
}

/** { 'domain/audit.ts': [{ target: 'clients/mesos.ts', typeOnly: false }, ...] } for every .ts file under root. */
function importGraph(root) {
  const graph = {};
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        const imports = [];
        for (const match of text.matchAll(
          /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.{1,2}\/[^']+)'/gm,
        )) {
          let target = path.resolve(path.dirname(full), match[2]);
          if (fs.existsSync(`${target}.ts`)) target = `${target}.ts`;
          else if (fs.existsSync(path.join(target, 'index.ts'))) target = path.join(target, 'index.ts');
          imports.push({ target: path.relative(root, target), typeOnly: Boolean(match[1]) });
        }
        graph[path.relative(root, full)] = imports;
      }
    }
  };
  walk(root);
  return graph;
}

/** Every import that points up a layer, leaves the simulator's, or closes a cycle (runtime imports). */
function violations(graph) {
  const problems = [];
  for (const [file, imports] of Object.entries(graph)) {
    const from = layerOf(file);
    for (const { target } of imports) {
      const to = layerOf(target);
      if (from === undefined || to === undefined) problems.push(`${file} -> ${target}: outside the known layers`);
      else if (from === 'sim' || to === 'sim') {
        if (from !== to) problems.push(`${file} -> ${target}: the simulator and the tool share no code`);
      } else if (to > from)
        problems.push(
          `${file} -> ${target}: points up (${LAYERS[from].join('/')} must not import ${LAYERS[to].join('/')})`,
        );
    }
  }
  // Cycles through runtime imports (Tarjan's strongly connected components).
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const { target, typeOnly } of graph[node] ?? []) {
      if (typeOnly || !(target in graph)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node), low.get(target)));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node), index.get(target)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) problems.push(`import cycle: ${component.sort().join(' -> ')}`);
    }
  };
  for (const node of Object.keys(graph)) if (!index.has(node)) visit(node);
  return problems;
}

module.exports = { LAYERS, importGraph, violations };

if (require.main === module) {
  const problems = violations(importGraph(path.resolve(__dirname, '..', 'src')));
  if (problems.length > 0) {
    for (const problem of problems) console.error(`layers: ${problem}`);
    process.exit(1);
  }
  console.log('layers: every import in src/ points down; no cycle.');
}
