import type { Diagnostic, ReportArtifact } from '../report/types.js';

/** Diagnostic code of a Mach-O binary whose text is FairPlay-encrypted (its strings cannot be read). */
export const ENCRYPTED_CODE = 'macho.encrypted';

/**
 * Completes an iOS artifact after every shard has run: any Mach-O the decoder found FairPlay-encrypted marks the app
 * `encrypted` (its code was not scanned, only resources), so it is never presented as clean.
 */
export function markEncrypted(artifact: ReportArtifact, diagnostics: readonly Diagnostic[]): ReportArtifact {
  const entries = new Set(artifact.app.encryptedBinaries ?? []);
  for (const d of diagnostics) if (d.code === ENCRYPTED_CODE) entries.add(d.entry);
  if (entries.size === 0) return artifact;
  artifact.app.encrypted = true;
  artifact.app.encryptedBinaries = [...entries].sort();
  return artifact;
}
