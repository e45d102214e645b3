import { Type } from '@fastify/type-provider-typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Open = { additionalProperties: true } as const;

/** Every error response: a stable code, a readable message, the request id to quote. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String({ description: 'Stable machine-readable code, e.g. not_an_app, too_large, not_found.' }),
  message: Type.String(),
  requestId: Type.String(),
});

/** The standard error responses of authenticated routes. */
export const AuthErrors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 429: ErrorSchema } as const;

export const Severity = Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('info')]);
export const Rating = Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C'), Type.Literal('D'), Type.Literal('F')]);
export const ScanStatus = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]);

const SeverityCounts = Type.Object({ critical: Type.Integer(), high: Type.Integer(), medium: Type.Integer(), low: Type.Integer(), info: Type.Integer() });

const AppIdentity = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    versionName: Type.Optional(Type.String()),
    versionCode: Type.Optional(Type.String()),
    signer: Type.Optional(Type.String()),
  },
  Open,
);

export const ScanSummarySchema = Type.Object({
  findings: Type.Integer(),
  bySeverity: SeverityCounts,
  diagnostics: Type.Integer(),
  unscanned: Type.Optional(Type.Integer({ description: 'Parts of the app that were not scanned (encrypted code, an entry over a limit, a worker crash): the scan is incomplete when above 0.' })),
  durationMs: Type.Number(),
  kind: Type.String(),
  platform: Type.String(),
  app: AppIdentity,
});

export const ScanSchema = Type.Object({
  id: Type.String(),
  status: ScanStatus,
  filename: Type.String(),
  sha256: Type.String(),
  size: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  attempts: Type.Integer({ description: 'Times a runner started this scan (more than 1 after a restart).' }),
  progress: Type.Object({ entriesDone: Type.Integer(), entriesTotal: Nullable(Type.Integer()), fraction: Type.Number({ minimum: 0, maximum: 1 }) }),
  rating: Nullable(Rating),
  verdict: Nullable(
    Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('incomplete')], {
      description: "The CLI's verdict at its default gate (--fail-on high): fail when a finding is high or critical, incomplete when none is but part of the app was not scanned.",
    }),
  ),
  summary: Nullable(ScanSummarySchema),
  error: Nullable(Type.String()),
  appId: Nullable(Type.String()),
  versionId: Nullable(Type.String()),
  reused: Type.Optional(Type.Boolean({ description: 'The same artifact was scanned before in this tenant: this is that scan.' })),
});

const Location = Type.Object({ entry: Type.String(), decoder: Type.String(), pointer: Type.String(), context: Type.Optional(Type.String()) }, Open);

/** The CLI's JSON report (docs/report.md), as stored: redacted, fingerprints keyed by the server. */
export const ReportSchema = Type.Object(
  {
    schemaVersion: Type.Integer(),
    tool: Type.Object({ name: Type.String(), version: Type.String() }, Open),
    artifact: Type.Object({ path: Type.String(), sha256: Type.String(), size: Type.Integer(), kind: Type.String(), platform: Type.String(), app: AppIdentity }, Open),
    findings: Type.Array(
      Type.Object(
        {
          ruleId: Type.String(),
          provider: Type.String(),
          title: Type.String(),
          severity: Severity,
          confidence: Type.String(),
          reason: Type.Optional(Type.String()),
          redacted: Type.String(),
          secret: Type.Optional(Type.String({ description: 'Only with ?showSecrets=true, an admin key and secret storage enabled.' })),
          fingerprint: Type.String(),
          pairedWith: Type.Optional(Type.Array(Type.String())),
          locations: Type.Array(Location),
        },
        Open,
      ),
    ),
    diagnostics: Type.Array(
      Type.Object({ entry: Type.String(), decoder: Type.String(), level: Type.String(), code: Type.String(), message: Type.String(), offset: Type.Optional(Type.Integer()) }, Open),
    ),
    stats: Type.Object({}, Open),
  },
  Open,
);

export const AppSchema = Type.Object({
  id: Type.String(),
  platform: Type.String(),
  packageId: Type.String({ description: 'Package name (Android) or bundle id (iOS).' }),
  name: Nullable(Type.String()),
  versions: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const VersionRefSchema = Type.Object({ id: Type.String(), versionName: Nullable(Type.String()), versionCode: Nullable(Type.String()) });

export const VersionSchema = Type.Object({
  id: Type.String(),
  versionName: Nullable(Type.String()),
  versionCode: Nullable(Type.String()),
  signer: Nullable(Type.String({ description: 'SHA-256 of the signing certificate.' })),
  signerChanged: Type.Boolean({ description: 'The previous version was signed with another certificate.' }),
  previousSigner: Nullable(Type.String()),
  scanId: Type.String(),
  sha256: Type.String(),
  findings: Type.Integer(),
  rating: Nullable(Rating),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** A finding's latest verification (docs/verification.md). */
export const VerificationSchema = Type.Object({
  status: Type.Union([Type.Literal('live'), Type.Literal('invalid'), Type.Literal('unverifiable'), Type.Literal('error'), Type.Literal('skipped')]),
  checkedAt: Type.String(),
  reason: Type.String(),
  verifier: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  evidence: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())]))),
  severityBefore: Type.Optional(Type.String()),
});

export const FindingSchema = Type.Object({
  fingerprint: Type.String({ description: 'HMAC-SHA256 of rule and value under the server key: stable across versions.' }),
  ruleId: Type.String(),
  provider: Type.String(),
  title: Type.String(),
  severity: Severity,
  confidence: Type.String(),
  redacted: Type.String(),
  locations: Type.Array(Location),
  verification: Type.Optional(VerificationSchema),
  firstSeen: VersionRefSchema,
  lastSeen: VersionRefSchema,
});

export const DiffSchema = Type.Object({
  app: AppSchema,
  from: Type.Object({ id: Type.String(), versionName: Nullable(Type.String()), versionCode: Nullable(Type.String()), signer: Nullable(Type.String()) }),
  to: Type.Object({ id: Type.String(), versionName: Nullable(Type.String()), versionCode: Nullable(Type.String()), signer: Nullable(Type.String()) }),
  signerChanged: Type.Boolean(),
  new: Type.Array(FindingSchema),
  resolved: Type.Array(FindingSchema),
  persisting: Type.Array(FindingSchema),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const AppParams = Type.Object({ app: Type.String({ minLength: 1, maxLength: 300 }) });
