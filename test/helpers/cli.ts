/** The leakdex CLI under test: as a child process, or its `main` in this process. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { Writable } from 'node:stream';
import { CLI } from './files.js';

/** A writable stream that keeps what is written to it. */
export function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}

/** Runs the built CLI in a child process: exit status, stdout and stderr for real. */
export function cliSync(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
}

/** Runs the CLI's `main` in this process, for the many checks where a process start-up adds nothing. */
export async function runMain(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  const out = sink();
  const err = sink();
  const status = await main(args, out.stream, err.stream);
  return { status, stdout: out.text(), stderr: err.text() };
}
