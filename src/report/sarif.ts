import { verificationText } from './verification.js';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '../../rules/index.js';
import type { Severity } from '../detect/types.js';
import { adviceFor } from './advice.js';
import { safeJson, sarifText } from './escape.js';
import type { Diagnostic, Report, ReportFinding, SuppressedFinding } from './types.js';
import { reportVerdict, verdictOf, verdictText, type Gate } from './verdict.js';

/** SARIF version and the schema URI written into every log. */
export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** partialFingerprints key: SHA-256 of (rule, value), the same fingerprint baselines use. */
export const FINGERPRINT_KEY = 'leakdexFingerprint/v1';
/** Locations per result: the first is primary, the rest go to relatedLocations. */
export const MAX_SARIF_LOCATIONS = 25;

type Level = 'error' | 'warning' | 'note' | 'none';

/** critical/high fail a check run, medium warns, low/info are notes. */
export function sarifLevel(s: Severity): Level {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

/** GitHub code scanning reads `security-severity` (0-10) from the rule to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.5' };

export interface SarifOptions extends Gate {
  /** A baseline was applied: results get baselineState new/unchanged. */
  baselineApplied?: boolean;
}

/** A path as a URI reference: relative paths stay relative (forward slashes), absolute ones become file: URIs. */
export function pathToUri(path: string): string {
  if (isAbsolute(path)) return pathToFileURL(path).href;
  return path
    .split(/[\\/]/)
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

interface RuleMeta {
  id: string;
  provider: string;
  title: string;
  severity: Severity;
  reason?: string;
}

function ruleDescriptor(r: RuleMeta) {
  const advice = adviceFor(r.provider);
  const help = `Revoke: ${advice.revoke}\nInstead: ${advice.instead}`;
  const full = `A hardcoded ${r.title} found in the app binary. Anyone who downloads the app can extract it.${r.reason ? ` ${r.reason}.` : ''}`;
  return {
    id: r.id,
    name: ruleName(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: full },
    help: { text: help, markdown: `**Revoke or rotate.** ${advice.revoke}\n\n**Instead.** ${advice.instead}` },
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties: { tags: ['security', 'secrets', 'mobile', r.provider], precision: 'high', 'security-severity': SECURITY_SEVERITY[r.severity], provider: r.provider },
  };
}

/** Splits `a.jar!/b.properties` into its nesting chain. */
function entryChain(entry: string): string[] {
  return entry.split('!/').filter((s) => s.length > 0);
}

/** Renders a report as one SARIF 2.1.0 log with one run. */
export function renderSarif(report: Report, opts: SarifOptions = {}): string {
  return safeJson(toSarif(report, opts)) + '\n';
}

export function toSarif(report: Report, opts: SarifOptions = {}) {
  const all: (ReportFinding | SuppressedFinding)[] = [...report.findings, ...(report.suppressed ?? [])];
  const rules: RuleMeta[] = RULES.map((r) => ({ id: r.id, provider: r.provider, title: r.title, severity: r.severity }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  for (const f of all) {
    if (ruleIndex.has(f.ruleId)) continue;
    ruleIndex.set(f.ruleId, rules.length);
    rules.push({ id: f.ruleId, provider: f.provider, title: f.title, severity: f.severity });
  }

  const appUri = pathToUri(report.artifact.path);
  const artifacts: Record<string, unknown>[] = [
    {
      location: { uri: appUri },
      length: report.artifact.size,
      roles: ['analysisTarget'],
      hashes: { 'sha-256': report.artifact.sha256 },
      properties: { kind: report.artifact.kind, platform: report.artifact.platform },
    },
  ];
  const artifactIndex = new Map<string, number>();
  const entryArtifact = (entry: string): number => {
    let parent = 0;
    let key = '';
    for (const part of entryChain(entry)) {
      key = key ? `${key}!/${part}` : part;
      let idx = artifactIndex.get(key);
      if (idx === undefined) {
        idx = artifacts.length;
        artifactIndex.set(key, idx);
        artifacts.push({ location: { uri: pathToUri(part) }, parentIndex: parent, roles: ['analysisTarget'] });
      }
      parent = idx;
    }
    return parent;
  };

  const location = (l: ReportFinding['locations'][number], id?: number) => {
    entryArtifact(l.entry);
    const where = `${l.entry} ${l.pointer}`;
    const loc: Record<string, unknown> = {
      physicalLocation: { artifactLocation: { uri: appUri, index: 0 } },
      logicalLocations: [{ name: l.context ?? l.pointer, fullyQualifiedName: where, kind: 'variable' }],
      message: { text: sarifText(l.context ? `${where} (${l.context})` : where) },
      properties: { entry: l.entry, decoder: l.decoder, pointer: l.pointer, ...(l.context !== undefined ? { context: l.context } : {}) },
    };
    if (id !== undefined) loc.id = id;
    return loc;
  };

  const results = all.map((f) => {
    const first = f.locations[0];
    const where = first ? ` in ${first.entry} ${first.pointer}` : '';
    const more = f.locations.length > 1 ? ` and ${f.locations.length - 1} more location(s)` : '';
    const text = `${f.title} hardcoded${where}${more}: ${f.redacted}.${f.reason ? ` ${f.reason}.` : ''}${f.verification ? ` ${verificationText(f.verification)}.` : ''}`;
    const locs = f.locations.slice(0, MAX_SARIF_LOCATIONS);
    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: sarifLevel(f.severity),
      message: { text: sarifText(text) },
      locations: locs.slice(0, 1).map((l) => location(l)),
      partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
      properties: {
        severity: f.severity,
        confidence: f.confidence,
        provider: f.provider,
        redacted: f.redacted,
        'security-severity': SECURITY_SEVERITY[f.severity],
        ...(f.pairedWith ? { pairedWith: f.pairedWith } : {}),
        ...(f.verification ? { verification: f.verification } : {}),
        ...(f.secret !== undefined ? { secret: f.secret } : {}),
      },
    };
    if (locs.length > 1) result.relatedLocations = locs.slice(1).map((l, i) => location(l, i + 1));
    const s = (f as SuppressedFinding).suppression;
    if (s) {
      const justification = s.kind === 'baseline' ? `accepted in baseline ${s.file}` : `${s.reason ?? 'ignored'} (${s.file}${s.expires ? `, until ${s.expires}` : ''})`;
      result.suppressions = [{ kind: 'external', status: 'accepted', justification, properties: { source: s.kind, file: s.file, ...(s.expires ? { expires: s.expires } : {}) } }];
    }
    if (opts.baselineApplied) result.baselineState = s?.kind === 'baseline' ? 'unchanged' : 'new';
    return result;
  });

  const notifications = report.diagnostics.map((d: Diagnostic) => ({
    level: d.level === 'error' ? 'error' : d.level === 'warning' ? 'warning' : 'note',
    descriptor: { id: d.code },
    message: { text: sarifText(`${d.entry || '(archive)'}: ${d.message}`) },
    ...(d.entry ? { locations: [{ physicalLocation: { artifactLocation: { uri: appUri, index: 0 } }, logicalLocations: [{ fullyQualifiedName: d.entry, name: d.entry }] }] } : {}),
    properties: { entry: d.entry, decoder: d.decoder, ...(d.offset !== undefined ? { offset: d.offset } : {}) },
  }));

  // The verdict is a notification too, so a viewer of the log sees an incomplete scan without reading properties.
  const verdict = verdictOf(report, opts);
  if (!verdict.complete) notifications.unshift({ level: 'error', descriptor: { id: 'leakdex.incomplete' }, message: { text: sarifText(verdictText(verdict)) }, properties: { entry: '', decoder: 'scan' } });

  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: rules.map(ruleDescriptor),
          },
        },
        automationDetails: { id: `leakdex/${report.artifact.app.id ?? report.artifact.path}/` },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        artifacts,
        results,
        columnKind: 'utf16CodeUnits',
        properties: { app: report.artifact.app, stats: report.stats, rating: verdict.rating, completeness: { complete: verdict.complete, gaps: verdict.gaps }, verdict: reportVerdict(verdict) },
      },
    ],
  };
}
