import { APP_KINDS_TEXT, classify } from '../pipeline/artifact.js';
import { hashFile } from '../pipeline/run.js';
import { FileSource } from '../pipeline/source.js';
import { HttpError } from './errors.js';

/** What an accepted upload is: its SHA-256 and the entries of its archive. */
export interface Inspected {
  sha256: string;
  entries: number;
}

/**
 * Hashes the upload and classifies it by its content, as `leakdex scan` does (src/pipeline/artifact.ts): every app
 * the CLI reads as one is accepted; a loose file or a plain ZIP is refused with a 422 HttpError. Runs in the scan
 * supervisor thread (src/service/scan-supervisor.ts): reading a large central directory and hashing a large upload
 * are CPU work the thread answering requests should not do.
 */
export async function inspectUpload(path: string, maxEntries: number): Promise<Inspected> {
  const sha256 = await hashFile(path);
  const src = new FileSource(path);
  try {
    const c = classify(src, '', { maxEntries });
    if (c.zipError !== undefined) throw new HttpError(422, 'not_an_archive', `the upload cannot be read as a ZIP archive: ${c.zipError}`);
    if (c.content !== 'zip') throw new HttpError(422, 'not_an_archive', `the upload is not a ZIP archive (it looks like ${c.kind === 'file' ? c.content : c.kind}): upload ${APP_KINDS_TEXT}`);
    if (!c.app) {
      throw new HttpError(422, 'not_an_app', `the upload is a ZIP archive but not an app: upload ${APP_KINDS_TEXT} (none of AndroidManifest.xml, base/manifest/AndroidManifest.xml, an X.app/ bundle or inner APKs was found)`);
    }
    return { sha256, entries: c.entries };
  } finally {
    src.close();
  }
}
