/**
 * `LOG_FORMAT=pretty`: the service's pino JSON lines turned into one readable line each, for a person at a terminal
 * (`12:04:31.207 INFO  request completed GET /v1/scans 200 3.1ms reqId=…`). JSON stays the default: it is what log
 * collectors read.
 */
import type { DestinationStream } from 'pino';
import { visible } from '../report/escape.js';

/** Log output formats: pino's JSON lines, or PrettyLog's lines. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOR: Record<number, string> = { 10: '\x1b[2m', 20: '\x1b[2m', 30: '\x1b[32m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[1;31m' };
/** Fields every line has, or that the line's head already shows. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'req', 'res', 'responseTime', 'err']);
/** Longest value printed for one field; the JSON format keeps everything. */
const MAX_FIELD_CHARS = 300;

const two = (n: number, w = 2) => String(n).padStart(w, '0');

function field(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return visible(s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS)}…` : s);
}

/** One pino JSON line as a readable line (a line that is not JSON is passed on as it is, escaped). */
export function prettyLine(line: string, color = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return visible(line.replace(/\n$/, '')) + '\n';
  }
  const level = typeof o.level === 'number' ? o.level : 30;
  const t = new Date(typeof o.time === 'number' ? o.time : Date.now());
  const time = `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${two(t.getMilliseconds(), 3)}`;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const parts = [time, color ? `${LEVEL_COLOR[level] ?? ''}${name}\x1b[0m` : name, field(o.msg ?? '')];
  const req = o.req as { method?: string; url?: string } | undefined;
  if (req?.method) parts.push(field(`${req.method} ${req.url ?? ''}`));
  const res = o.res as { statusCode?: number } | undefined;
  if (res?.statusCode !== undefined) parts.push(String(res.statusCode));
  if (typeof o.responseTime === 'number') parts.push(`${o.responseTime.toFixed(1)}ms`);
  for (const [k, v] of Object.entries(o)) if (!SHOWN.has(k) && v !== undefined) parts.push(`${visible(k)}=${field(v)}`);
  const err = o.err as { type?: string; message?: string; stack?: string } | undefined;
  let tail = '';
  if (err) tail = `\n    ${field(`${err.type ?? 'Error'}: ${err.message ?? ''}`)}${err.stack ? `\n    ${err.stack.split('\n').slice(1, 6).map((l) => visible(l.trim())).join('\n    ')}` : ''}`;
  return parts.join(' ') + tail + '\n';
}

/** A pino destination writing prettyLine of every record to `out` (colours when `out` is a terminal and NO_COLOR is unset). */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): DestinationStream {
  const color = out.isTTY === true && !process.env.NO_COLOR;
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line !== '') out.write(prettyLine(line, color));
    },
  };
}
