import { ZipArchive } from '../../decoders/zip.js';
import { statSync } from 'node:fs';
import { FileSource } from '../pipeline/source.js';
import { DirectorySource } from '../pipeline/directory.js';

/** Least time between two redraws, ms. */
export const PROGRESS_INTERVAL_MS = 100;
const BAR_WIDTH = 24;

export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}

/**
 * A one-line progress bar on a terminal stream (stderr): entries read and bytes inflated. Does nothing when the
 * stream is not a TTY, so CI logs stay clean.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private last = 0;
  private entries = 0;
  private bytes = 0;
  private drawn = false;
  private total?: number;
  private sizes = new Map<string, number>();

  constructor(
    private readonly stream: ProgressSink,
    enabled: boolean,
  ) {
    this.enabled = enabled && stream.isTTY === true;
  }

  get active(): boolean {
    return this.enabled;
  }

  /** Reads the archive's central directory (if it is one), or lists the directory, for the entry count and the sizes. */
  prepare(file: string): void {
    if (!this.enabled) return;
    let src: FileSource | undefined;
    try {
      if (statSync(file).isDirectory()) {
        for (const e of DirectorySource.open(file).entries) this.sizes.set(e.name, e.size);
      } else {
        src = new FileSource(file);
        const zip = ZipArchive.open(src);
        for (const e of zip.entries) if (!e.isDirectory) this.sizes.set(e.name, e.uncompressedSize);
      }
      this.total = this.sizes.size;
    } catch {
      // Not an archive, or a broken one: the bar counts entries without a total.
    } finally {
      src?.close();
    }
  }

  /** One entry reached by a scan worker. */
  entry(path: string): void {
    if (!this.enabled) return;
    if (!path.includes('!/')) {
      this.entries++;
      this.bytes += this.sizes.get(path) ?? 0;
    }
    this.draw(false);
  }

  /** A free-form state (remote mode: uploading, queued, scanning N/M). */
  status(text: string, fraction?: number): void {
    if (!this.enabled) return;
    this.paint(text, fraction);
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.last < PROGRESS_INTERVAL_MS) return;
    this.last = now;
    const fraction = this.total ? Math.min(1, this.entries / this.total) : undefined;
    const count = this.total ? `${this.entries}/${this.total}` : `${this.entries}`;
    this.paint(`${count} entries read, ${mb(this.bytes)} inflated`, fraction);
  }

  private paint(text: string, fraction?: number): void {
    const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] `;
    const line = `leakdex ${bar}${text}`;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r${line.slice(0, width).padEnd(width)}`);
    this.drawn = true;
  }

  /** Erases the bar. */
  done(): void {
    if (!this.enabled || !this.drawn) return;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r${' '.repeat(width)}\r`);
    this.drawn = false;
  }
}
