/**
 * Verification in the service (docs/verification.md): a scan asked to verify (`?verify=true`, or the tenant's
 * setting) has its findings checked by the runner that scanned it, after the scan and before its result is stored,
 * with the result cache in the store (shared by every API node and worker) and one set of provider limits per process.
 */
import type { Config } from '../config.js';
import type { Report } from '../report/types.js';
import type { ScanCompletion, Store } from '../store/types.js';
import type { CheckResult, VerifyCache, VerifyOptions, VerifySummary } from '../verify/engine.js';
import { orderBySeverity, verifyReport } from '../verify/engine.js';
import { parseEndpoints, type ProviderLimiter } from '../verify/http.js';
import type { FindingKeys } from './crypto.js';
import { countVerification } from './metrics.js';
import { prepareCompletion } from './results.js';

/** A completion with the values of its findings, which exist only between the scan and the verification. */
export type CompletionWithValues = ScanCompletion & { values?: [fingerprint: string, value: string][] };

/** The engine's cache over the store's `verification_cache` table. */
export class StoreVerifyCache implements VerifyCache {
  constructor(private readonly store: Store) {}
  async get(key: string): Promise<CheckResult | undefined> {
    const raw = await this.store.verifications.cacheGet(key, Date.now());
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as CheckResult;
    } catch {
      return undefined;
    }
  }
  async set(key: string, value: CheckResult, ttlMs: number): Promise<void> {
    await this.store.verifications.cacheSet(key, JSON.stringify(value), Date.now() + ttlMs);
  }
}

/** The service's verifier: its endpoints, cache and provider limits. */
export class ServiceVerifier {
  private readonly limiters = new Map<string, ProviderLimiter>();
  private readonly cache: StoreVerifyCache;
  /** LEAKDEX_VERIFY_ENDPOINTS, parsed once (config validation already refused a bad one at boot). */
  private readonly endpoints: Map<string, URL>;
  constructor(
    store: Store,
    private readonly config: Config,
  ) {
    this.cache = new StoreVerifyCache(store);
    this.endpoints = parseEndpoints(config.verify.endpoints);
  }

  /** Engine options of this service; `refresh` for scheduled re-checks. */
  options(refresh = false, only?: VerifyOptions['only']): VerifyOptions {
    return {
      ...(only ? { only } : {}),
      endpoints: this.endpoints,
      cache: this.cache,
      cacheTtlMs: this.config.verify.cacheTtlMs,
      limiters: this.limiters,
      refresh,
      onResult: (provider, status, cached) => countVerification(provider, status, cached),
    };
  }

  /** Verifies a report whose findings carry their values (in place). */
  verify(report: Report, refresh = false, only?: VerifyOptions['only']): Promise<VerifySummary> {
    return verifyReport(report, this.options(refresh, only));
  }

  /**
   * Verifies a finished scan: its report gets its values back for the checks, then is stored as before (values
   * encrypted only when the service stores them, dropped otherwise) with each finding's verification.
   */
  async verifyCompletion(completion: CompletionWithValues, keys: FindingKeys, displayPath: string): Promise<ScanCompletion> {
    const values = new Map(completion.values ?? []);
    const report = JSON.parse(completion.report) as Report;
    for (const f of report.findings) {
      const v = values.get(f.fingerprint);
      if (v !== undefined) f.secret = v;
    }
    await this.verify(report);
    orderBySeverity(report);
    return prepareCompletion(report, keys, displayPath);
  }
}
