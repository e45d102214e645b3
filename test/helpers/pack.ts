/**
 * leakdex as a user gets it without the npm registry: `npm pack` in a checkout, which builds what it ships (the
 * prepack script) and writes leakdex-x.y.z.tgz; the CI recipes in docs/ci install that file with `npm install -g`.
 */
import { spawn } from 'node:child_process';
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './files.js';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop; `env` entries set to undefined are removed. */
export function runAsync(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(cmd, args, { cwd: opts.cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** What a checkout holds that `npm pack` needs: the package, the sources, the build's tools. No dist/, no tests. */
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'bin', 'src', 'decoders', 'rules', 'tools'];

/**
 * `npm pack` in a copy of the sources under `dir` that has never been built (the repository's node_modules linked
 * in, as after `npm ci`), so the tarball holds only what the prepack build made. Returns the tarball's path and the
 * files in it.
 */
export async function packLeakdex(dir: string): Promise<{ tarball: string; files: string[]; log: string }> {
  const src = join(dir, 'checkout');
  for (const p of SOURCES) cpSync(join(ROOT, p), join(src, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  const res = await runAsync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: src, env: { npm_config_loglevel: 'warn' } });
  if (res.status !== 0) throw new Error(`npm pack failed (${res.status}): ${res.stderr.slice(-2000)}`);
  // npm pack prints the prepack build's own output before its JSON.
  const info = JSON.parse(res.stdout.slice(res.stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(dir, info[0]!.filename), files: info[0]!.files.map((f) => f.path).sort(), log: res.stdout + res.stderr };
}
