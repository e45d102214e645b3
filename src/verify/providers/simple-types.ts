/** The shape of a declarative verifier entry (simple.ts builds them; simple-ai/cloud/services.ts list them). */
/** How the credential is sent. */
export type SimpleAuth =
  | { kind: 'bearer' }
  /** A named header, e.g. `DD-API-KEY: <key>` or `Authorization: Bot <key>` (prefix `Bot `). */
  | { kind: 'header'; name: string; prefix?: string }
  /** HTTP Basic: user and password are each the key, a fixed string, or empty. */
  | { kind: 'basic'; user?: 'key' | (string & {}); password?: 'key' | '' }
  /** A query parameter, e.g. `?appid=<key>`: the downloader's messages carry the path only, never the query. */
  | { kind: 'query'; name: string };

/** A condition on a JSON answer: the value at `path` equals, is one of, or is (not) present. */
export interface BodyMatch {
  path: readonly string[];
  equals?: string | number | boolean | null;
  oneOf?: readonly (string | number | boolean)[];
  /** true: the value is present and not null or ''; false: it is absent, null or ''. */
  present?: boolean;
}

/** An answer of `status` (and, if given, a matching body). */
export interface StatusMatch extends Partial<BodyMatch> {
  status: number;
}

export interface SimpleEntry {
  /** Verifier id (unique; by convention the first rule id). */
  id: string;
  provider: string;
  /** The provider's name in reasons, e.g. `Heroku`. */
  name: string;
  /** What the credential is called in reasons (default `key`). */
  noun?: string;
  ruleIds: readonly string[];
  /** Default GET. */
  method?: 'GET' | 'POST';
  /** The official origin, e.g. `https://api.heroku.com`. */
  origin: string;
  /** The exact path; the call table allows this path only. */
  path: string;
  /** Fixed query parameters (the credential, for `query` auth, is added to them). */
  query?: Readonly<Record<string, string>>;
  auth: SimpleAuth;
  /** Further headers the provider requires (API version, media type). */
  extraHeaders?: Readonly<Record<string, string>>;
  /** Statuses that mean the credential works (default [200]). */
  liveStatuses?: readonly number[];
  /** Conditions a live answer must also meet (e.g. `valid: true`); a miss is `invalid` or `error`, with the reason. */
  liveRequires?: readonly (BodyMatch & { otherwise: 'invalid' | 'error'; reason: string })[];
  /** Statuses that mean the credential was refused (default [401, 403]). */
  invalidStatuses?: readonly number[];
  /** Further answers that mean refused (a 400 with an OAuth error, a 401 with `invalid_api_key`). */
  invalidWhen?: readonly StatusMatch[];
  /** Answers that mean the provider knows the credential but it may not make this call: still live, said so. */
  limited?: readonly (StatusMatch & { reason: string })[];
  /** Evidence to keep: name -> JSON path in the answer. Identifiers and scopes only. */
  evidence?: Readonly<Record<string, readonly string[]>>;
  /** Where a short error code is, for reasons (never the message, which may echo the key). */
  errorCode?: readonly string[];
  /** Said after a refusal: what else a refusal can mean (another region, another token kind). */
  invalidNote?: string;
  /** Why the call changes nothing (docs/verification.md). */
  readOnly: string;
  /** A working credential is expected (public by design): a live result leaves the severity alone. */
  keepSeverity?: boolean;
  /** Findings whose value starts with one of these are not checked, with the reason (another token kind). */
  skipPrefixes?: readonly { prefix: string; reason: string }[];
}

/** A rule whose value is public by design: reported `unverifiable` with the reason, no call. */
export interface PublicEntry {
  id: string;
  provider: string;
  ruleIds: readonly string[];
  reason: string;
}
