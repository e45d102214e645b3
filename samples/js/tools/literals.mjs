// Independent golden for the JavaScript sample: every string literal and template element of FILE, listed by acorn's
// parser (a full ECMAScript parser, not leakdex's tokenizer) with its 1-based line and column and its cooked value.
//   node samples/js/tools/literals.mjs FILE > golden/FILE.literals.json
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const acorn = require('acorn');
const walk = require('acorn-walk');
const file = process.argv[2];
const source = readFileSync(file, 'utf8');
const ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'script', locations: true });
const literals = [];
walk.full(ast, (node) => {
  if (node.type === 'Literal' && typeof node.value === 'string') literals.push([node.loc.start.line, node.loc.start.column + 1, node.value, 'string']);
  else if (node.type === 'TemplateElement') literals.push([node.loc.start.line, node.loc.start.column + 1, node.value.cooked, 'template']);
});
literals.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
const acornVersion = require('acorn/package.json').version;
const head = { tool: `acorn ${acornVersion} parse (ecmaVersion latest, script) + acorn-walk`, file: file.replace(/^.*samples\/js\//, '') };
const rows = literals.map((l) => `  ${JSON.stringify(l)}`).join(',\n');
process.stdout.write(`${JSON.stringify(head).slice(0, -1)},\n "literals": [\n${rows}\n ]\n}\n`);
