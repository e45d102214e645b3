import type { Severity } from '../detect/types.js';
import { SEVERITIES } from '../detect/types.js';
import type { ScanStatus } from '../store/types.js';

/** Upper bounds of the scan-duration histogram, seconds. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Upper bounds of the scanned-size histogram, bytes. */
const SIZE_BUCKETS = [64 * 1024, 1024 ** 2, 8 * 1024 ** 2, 32 * 1024 ** 2, 128 * 1024 ** 2, 512 * 1024 ** 2, 2 * 1024 ** 3];
/** Upper bounds of the HTTP-duration histogram, seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }
  render(name: string, labels = ''): string[] {
    const sep = labels ? `${labels},` : '';
    const out = this.buckets.map((b, i) => `${name}_bucket{${sep}le="${b}"} ${this.counts[i]}`);
    out.push(`${name}_bucket{${sep}le="+Inf"} ${this.count}`, `${name}_sum${labels ? `{${labels}}` : ''} ${this.sum}`, `${name}_count${labels ? `{${labels}}` : ''} ${this.count}`);
    return out;
  }
}

/** Live figures gathered at scrape time. */
export interface MetricsSnapshot {
  scansByStatus: Record<ScanStatus, number>;
  queueDepth: number;
  running: number;
  concurrency: number;
  /** PostgreSQL mode: jobs by queue and state (src/service/queue.ts), dead-lettered scans included. */
  jobs?: Record<string, Record<string, number>>;
}

/** Verification results of this process by provider, status and whether the cache answered (src/verify). */
const verifications = new Map<string, number>();

/** Counts one verification result; labels come from the verifier table and the status enum, never from a file. */
export function countVerification(provider: string, status: string, cached: boolean): void {
  const key = `provider="${provider.replace(/[^a-z0-9_-]/gi, '_')}",status="${status}",cached="${cached}"`;
  verifications.set(key, (verifications.get(key) ?? 0) + 1);
}

/** Process-wide counters and histograms, rendered in the Prometheus text format (version 0.0.4). */
export class Metrics {
  private readonly finished = new Map<string, number>();
  private readonly findings = new Map<Severity, number>();
  private readonly duration = new Histogram(DURATION_BUCKETS);
  private readonly scanBytes = new Histogram(SIZE_BUCKETS);
  private uploadBytes = 0;
  private uploads = 0;
  private enqueueFailures = 0;
  private readonly http = new Map<string, number>();
  private readonly httpDuration = new Histogram(HTTP_BUCKETS);

  scanFinished(status: 'done' | 'failed', seconds: number, bytes: number, severities: Severity[] = []): void {
    this.finished.set(status, (this.finished.get(status) ?? 0) + 1);
    this.duration.observe(seconds);
    this.scanBytes.observe(bytes);
    for (const s of severities) this.findings.set(s, (this.findings.get(s) ?? 0) + 1);
  }

  uploaded(bytes: number): void {
    this.uploads++;
    this.uploadBytes += bytes;
  }

  /** A scan's job could not be queued at upload (the reconciler queues it later). */
  enqueueFailed(): void {
    this.enqueueFailures++;
  }

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route.replace(/["\\\n]/g, '_')}",status="${status}"`;
    this.http.set(key, (this.http.get(key) ?? 0) + 1);
    this.httpDuration.observe(seconds);
  }

  render(s: MetricsSnapshot): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, rows: string[]) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
    metric('leakdex_scans', 'gauge', 'Scans in the store by status (all tenants).', Object.entries(s.scansByStatus).map(([k, v]) => `leakdex_scans{status="${k}"} ${v}`));
    metric('leakdex_queue_depth', 'gauge', 'Scans waiting for a runner.', [`leakdex_queue_depth ${s.queueDepth}`]);
    metric('leakdex_scans_running', 'gauge', 'Scans running in this process.', [`leakdex_scans_running ${s.running}`]);
    metric('leakdex_scan_concurrency', 'gauge', 'Scans this process runs at once.', [`leakdex_scan_concurrency ${s.concurrency}`]);
    metric('leakdex_scans_finished_total', 'counter', 'Scans finished by this process, by outcome.', (['done', 'failed'] as const).map((k) => `leakdex_scans_finished_total{status="${k}"} ${this.finished.get(k) ?? 0}`));
    metric('leakdex_scan_duration_seconds', 'histogram', 'Wall time of scans run by this process.', this.duration.render('leakdex_scan_duration_seconds'));
    metric('leakdex_scan_bytes', 'histogram', 'Size of artifacts scanned by this process.', this.scanBytes.render('leakdex_scan_bytes'));
    metric('leakdex_upload_bytes_total', 'counter', 'Bytes of accepted uploads.', [`leakdex_upload_bytes_total ${this.uploadBytes}`]);
    metric('leakdex_uploads_total', 'counter', 'Accepted uploads.', [`leakdex_uploads_total ${this.uploads}`]);
    if (s.jobs) {
      const rows = Object.entries(s.jobs).flatMap(([queue, states]) => Object.entries(states).map(([state, n]) => `leakdex_jobs{queue="${queue}",state="${state}"} ${n}`));
      metric('leakdex_jobs', 'gauge', 'Jobs kept by the queue (pg-boss), by queue and state; leakdex-scan-dead holds the dead-lettered scans.', rows);
      metric('leakdex_enqueue_failures_total', 'counter', 'Scans whose job this process could not queue at upload (queued later by a reconciler).', [`leakdex_enqueue_failures_total ${this.enqueueFailures}`]);
    }
    metric('leakdex_findings_total', 'counter', 'Findings of scans finished by this process, by severity.', SEVERITIES.map((sev) => `leakdex_findings_total{severity="${sev}"} ${this.findings.get(sev) ?? 0}`));
    metric('leakdex_verifications_total', 'counter', 'Key verifications made or read from the cache by this process, by provider and status.', [...verifications].map(([k, v]) => `leakdex_verifications_total{${k}} ${v}`));
    metric('leakdex_http_requests_total', 'counter', 'HTTP requests by method, route and status.', [...this.http].map(([k, v]) => `leakdex_http_requests_total{${k}} ${v}`));
    metric('leakdex_http_request_duration_seconds', 'histogram', 'HTTP request durations.', this.httpDuration.render('leakdex_http_request_duration_seconds'));
    return lines.join('\n') + '\n';
  }
}
