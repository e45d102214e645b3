import type { DiffFinding } from '../findings.js';
import type { Report } from './types.js';
import { verdictOf } from './verdict.js';

export type { DiffFinding };

/** What to do about a leaked credential of one provider. */
export interface ProviderAdvice {
  /** Display name. */
  name: string;
  /** Revoke or rotate: where and how. */
  revoke: string;
  /** Where the credential belongs instead of the app. */
  instead: string;
}

const BACKEND = 'call the API from your backend (or a thin proxy that authenticates the app user) and keep the credential in a secrets manager there';

/** Remediation per provider id (the `provider` of a finding). Unknown providers get GENERIC_ADVICE. */
export const PROVIDER_ADVICE: Record<string, ProviderAdvice> = {
  aws: {
    name: 'AWS',
    revoke: 'Deactivate, then delete the access key in IAM (Users → Security credentials) and create a new one; review CloudTrail for use of the old key id. For a Cognito identity pool, check that its unauthenticated role grants only what a stranger may do.',
    instead: `Give the app short-lived credentials (Cognito identity pools with a least-privilege role, or STS via your backend); ${BACKEND} (AWS Secrets Manager).`,
  },
  azure: {
    name: 'Azure',
    revoke: 'Rotate the storage account key (Storage account → Access keys → Rotate key) or revoke the SAS (rotate the key that signed it, or delete its stored access policy); check the storage logs.',
    instead: `Hand the app short-lived, narrowly scoped user-delegation SAS tokens minted by your backend; ${BACKEND} (Azure Key Vault).`,
  },
  facebook: {
    name: 'Facebook / Meta',
    revoke: 'Reset the app secret (App Dashboard → Settings → Basic → Reset) and invalidate leaked access tokens. App ids and client tokens are public by design: make sure nothing trusts them as proof of identity.',
    instead: `Mint app access tokens and call the Graph API with the app secret only on your server; ${BACKEND}.`,
  },
  firebase: {
    name: 'Firebase',
    revoke: 'Replace a legacy FCM server key (migrate to the HTTP v1 API with a service account) and delete the old key in the Cloud console. A Realtime Database URL is public: lock it down with security rules.',
    instead: `Send push messages from your backend with a service account; protect data with Firebase security rules and App Check; ${BACKEND}.`,
  },
  gcp: {
    name: 'Google Cloud',
    revoke: 'Delete the service account key (IAM → Service accounts → Keys) and create a new one only where it is needed; check the audit logs for its use.',
    instead: `Never ship service account keys in an app: ${BACKEND} (Secret Manager), or use workload identity federation.`,
  },
  google: {
    name: 'Google',
    revoke: 'Regenerate or delete the key in the Cloud console (APIs & Services → Credentials); reset a leaked OAuth client secret. Keys meant for apps must carry application and API restrictions.',
    instead: `Restrict client keys to your app's package and signing certificate and to the APIs it calls; keep OAuth client secrets and unrestricted keys on your backend; ${BACKEND}.`,
  },
  github: {
    name: 'GitHub',
    revoke: 'Revoke the token (Settings → Developer settings → Tokens, or the org admin) and review the audit log for its use.',
    instead: `Do not call the GitHub API with a personal or app token from a mobile app: ${BACKEND}.`,
  },
  slack: {
    name: 'Slack',
    revoke: 'Revoke the token or regenerate the webhook URL in the Slack app settings (OAuth & Permissions / Incoming Webhooks).',
    instead: `Post to Slack from your backend; ${BACKEND}.`,
  },
  stripe: {
    name: 'Stripe',
    revoke: 'Roll the secret or restricted key in the Dashboard (Developers → API keys → Roll key) and check the request logs. Publishable keys are public by design.',
    instead: `Only publishable keys belong in an app; create charges and payment intents on your server; ${BACKEND}.`,
  },
  twitter: {
    name: 'Twitter / X',
    revoke: 'Regenerate the consumer key and secret (and the access tokens) in the developer portal; the old pair stops working at once.',
    instead: `Sign API requests on your backend; ${BACKEND}.`,
  },
};

/** Advice for providers without their own entry (private keys, custom rules). */
export const GENERIC_ADVICE: ProviderAdvice = {
  name: 'Other credentials',
  revoke: 'Treat the value as public: revoke or replace it where it was issued (for a private key, replace the key pair and whatever trusts it).',
  instead: `Move it out of the app: ${BACKEND}.`,
};

/** Advice for `provider`: its own entry, or the generic steps named after it. */
export function adviceFor(provider: string): ProviderAdvice {
  const known = PROVIDER_ADVICE[provider.toLowerCase()];
  if (known) return known;
  if (provider === 'generic' || provider === '') return { ...GENERIC_ADVICE, name: 'Private keys and other credentials' };
  const name = provider
    .split('-')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');
  return {
    name,
    revoke: `Revoke or roll the credential in the ${name} dashboard (its API keys or tokens settings) and issue a new one; check ${name}'s usage or audit logs for use of the old value.`,
    instead: `If the app really needs a client-side key, use a restricted, publishable one; otherwise ${BACKEND}.`,
  };
}

/** A-F grade of an app: F critical, D high, C medium, B low, A nothing above info (the service rates the same way). */
export type Rating = 'A' | 'B' | 'C' | 'D' | 'F';

/** The report's A-F exposure rating over its unsuppressed findings (formula in docs/rules.md, "Exposure rating"), capped when the scan is incomplete. */
export function ratingOf(report: Report): Rating {
  return verdictOf(report).rating.grade;
}

/** One line naming the app: `Name (com.example) 1.2.0 (12)`, or the artifact path when it has no identity. */
export function appLabel(report: Report): string {
  const a = report.artifact.app;
  if (!a.id && !a.name) return report.artifact.path;
  const ver = [a.versionName, a.versionCode ? `(${a.versionCode})` : undefined].filter(Boolean).join(' ');
  return [a.name, a.id ? (a.name ? `(${a.id})` : a.id) : undefined, ver || undefined].filter(Boolean).join(' ');
}

/** A comparison of this version with the previous one of the same app (from the service's history). */
export interface VersionDiff {
  /** The earlier version, e.g. `1.2.0 (12)`. */
  previous: string;
  new: DiffFinding[];
  resolved: DiffFinding[];
  persisting: DiffFinding[];
  signerChanged?: boolean;
}
