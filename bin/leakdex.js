#!/usr/bin/env node
// A local scan's worker process starts first, so its start-up overlaps the loading of the CLI itself (a remote scan,
// --server or LEAKDEX_SERVER, needs none).
const args = process.argv.slice(2);
const remote = process.env.LEAKDEX_SERVER || args.some((a) => a === '--server' || a.startsWith('--server='));
if (args[0] === 'scan' && !remote) (await import('../dist/src/pipeline/spare.js')).prespawnWorker();
await import('../dist/src/cli/main.js');
