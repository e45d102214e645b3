/**
 * Uploads in the blob store (src/blobs): each waits for its scan under `uploads/<scan id>.upload`. The scan row's
 * `upload_path` holds that key; rows written before the blob store hold an absolute path in the data directory.
 * The local store keeps the file in place (a rename, no copy), so the embedded default scans it where it is.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import type { BlobStore } from '../blobs/types.js';
import type { Store } from '../store/types.js';

/** Prefix of every upload's key. */
export const UPLOAD_PREFIX = 'uploads/';

/** The blob key of a scan's upload. */
export function uploadKey(scanId: string): string {
  return `${UPLOAD_PREFIX}${scanId}.upload`;
}

/** Where a stored `upload_path` is: a local file (`path`) or a blob to fetch (`key`); undefined when none is stored. */
export function uploadInput(blobs: BlobStore, stored: string | null): { path?: string; key?: string } | undefined {
  if (!stored) return undefined;
  if (isAbsolute(stored)) return existsSync(stored) ? { path: stored } : undefined;
  const local = blobs.localPath?.(stored);
  if (local !== undefined) return existsSync(local) ? { path: local } : undefined;
  return { key: stored };
}

/** Moves a complete, fsynced upload at `tmp` into the blob store under `key` (`tmp` is gone afterwards). */
export async function storeUpload(blobs: BlobStore, tmp: string, key: string, size: number): Promise<void> {
  const local = blobs.localPath?.(key);
  if (local !== undefined) {
    await mkdir(dirname(local), { recursive: true });
    await rename(tmp, local);
    return;
  }
  try {
    await blobs.put(key, tmp, size);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Removes a scan's upload, wherever it is (idempotent). */
export async function removeUploadOf(blobs: BlobStore, stored: string | null): Promise<void> {
  if (!stored) return;
  if (isAbsolute(stored)) await rm(stored, { force: true });
  else await blobs.delete(stored);
}

/** A blob younger than this is never an orphan: its scan row may still be being written, ms. */
export const ORPHAN_AGE_MS = 3_600_000;
/**
 * Most uploads looked at per key group by one orphan pass. Keys are listed in key order, so a pass lists each of the
 * 16 groups of scan ids (their first hex digit) on its own: a backlog of queued uploads at the start of the order
 * does not hide the orphans after it, up to 16,000 uploads a pass.
 */
const ORPHAN_BATCH = 1_000;
/** The first character of every scan id (a UUID). */
const ID_GROUPS = '0123456789abcdef';

/**
 * Removes uploads no queued or running scan needs: a blob whose scan row was never written (its node stopped between
 * the two writes) or is gone, and (unless uploads are kept) one whose scan ended but whose removal failed. Resolves
 * with the number removed.
 */
export async function removeOrphanUploads(blobs: BlobStore, store: Pick<Store, 'scanStatuses'>, keepUploads: boolean, now = Date.now()): Promise<number> {
  const old = [];
  for (const g of ID_GROUPS) old.push(...(await blobs.list(`${UPLOAD_PREFIX}${g}`, ORPHAN_BATCH)).filter((b) => b.modifiedAt < now - ORPHAN_AGE_MS));
  const ids = new Map<string, string>();
  for (const b of old) {
    const m = /^uploads\/([0-9a-f-]{36})\.upload$/.exec(b.key);
    if (m) ids.set(m[1]!, b.key);
  }
  if (ids.size === 0) return 0;
  const statuses = await store.scanStatuses([...ids.keys()]);
  let removed = 0;
  for (const [id, key] of ids) {
    const status = statuses.get(id);
    const orphan = status === undefined || (!keepUploads && (status === 'done' || status === 'failed'));
    if (!orphan) continue;
    await blobs.delete(key);
    removed++;
  }
  return removed;
}
