/**
 * The floor under a scan, for `npm run bench`: a fresh Node process that opens FILE with the scan's zip reader and
 * reads (inflates) every entry, decoding and detecting nothing. Its wall time is what any scan of FILE in Node costs
 * at least, start-up included.
 */
import { ZipArchive } from '../decoders/zip.js';
import { FileSource } from '../src/pipeline/source.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bench-read FILE\n');
  process.exit(2);
}
const src = new FileSource(file);
let bytes = 0;
try {
  const zip = ZipArchive.open(src);
  for (const e of zip.entries) {
    if (e.isDirectory) continue;
    try {
      bytes += zip.read(e).length;
    } catch {
      // An entry the scan could not read either.
    }
  }
} catch {
  bytes = src.read(0, src.size).length;
} finally {
  src.close();
}
process.stdout.write(`${bytes}\n`);
