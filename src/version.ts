import { readFileSync } from 'node:fs';

/** The tool's name and version as they appear in reports. */
export const TOOL_NAME = 'leakdex';
export const TOOL_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
