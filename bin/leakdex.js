#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A checkout that was never built has no dist/: say what to run instead of printing a module-resolution stack.
const cli = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`leakdex: error: leakdex is not built yet (${fileURLToPath(cli)} is missing) (hint: run \`npm ci && npm run build\` in ${root})\n`);
  process.exit(2);
}
// A local scan's worker process starts first, so its start-up overlaps the loading of the CLI itself (a remote scan,
// --server or LEAKDEX_SERVER, needs none).
const args = process.argv.slice(2);
const remote = process.env.LEAKDEX_SERVER || args.some((a) => a === '--server' || a.startsWith('--server='));
if (args[0] === 'scan' && !remote) (await import('../dist/src/pipeline/spare.js')).prespawnWorker();
await import('../dist/src/cli/main.js');
