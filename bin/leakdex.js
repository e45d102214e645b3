#!/usr/bin/env node
// A scan's worker process starts first, so its start-up overlaps the loading of the CLI itself.
if (process.argv[2] === 'scan' && !process.argv.includes('--server')) (await import('../dist/src/pipeline/spare.js')).prespawnWorker();
await import('../dist/src/cli.js');
