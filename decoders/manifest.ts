import { ANDROID_NS, findAttribute, parseAxml, referenceId, type AxmlAttribute, type AxmlElement } from './axml.js';
import type { DecodeWarning, ResourceResolver } from './types.js';

/** What an AndroidManifest.xml says about the app. */
export interface ManifestInfo {
  /** Application id (`manifest/@package`). */
  package?: string;
  versionName?: string;
  versionCode?: string;
  minSdk?: string;
  targetSdk?: string;
  /** `application/@android:label`, resolved through resources when it is a reference. */
  label?: string;
  /** Every `<meta-data>` name -> value (or resource), references resolved when resources are given. */
  metaData: Record<string, string>;
  /** `uses-permission` (and `uses-permission-sdk-23`) names, in document order, without duplicates. */
  permissions: string[];
}

/** Cuts a value at its first NUL, as Android's string readers and androguard show it (null-bytes quirk). */
function clean(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** Text of an attribute; a reference resolves to its value, else to `@type/name`, else stays `@0x7f...`. */
function attributeText(a: AxmlAttribute | undefined, resources: ResourceResolver | undefined): string | undefined {
  if (!a) return undefined;
  const ref = referenceId(a.typed);
  if (ref !== undefined && resources) {
    const value = resources.value(ref);
    if (value !== undefined) return clean(value);
    const name = resources.name(ref);
    if (name !== undefined) return `@${name}`;
  }
  return clean(a.value);
}

function* descendants(root: AxmlElement): Generator<AxmlElement> {
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    yield el;
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
}

/** Reads package, versions, SDK levels, label, meta-data and permissions from a binary AndroidManifest.xml. */
export function manifestInfo(bytes: Uint8Array, resources?: ResourceResolver, warn?: (w: DecodeWarning) => void): ManifestInfo {
  const root = parseAxml(bytes, warn);
  const info: ManifestInfo = { metaData: {}, permissions: [] };
  const text = (el: AxmlElement, name: string) => attributeText(findAttribute(el, name), resources);
  // `package` is not a framework attribute: read it by name, outside the Android namespace first.
  const pkg = root.attributes.find((a) => a.name === 'package' && a.ns !== ANDROID_NS) ?? root.attributes.find((a) => a.name === 'package');
  if (pkg) info.package = clean(pkg.rawValue ?? pkg.value);
  const set = <K extends keyof ManifestInfo>(key: K, value: ManifestInfo[K] | undefined) => {
    if (value !== undefined) info[key] = value;
  };
  set('versionCode', text(root, 'versionCode'));
  set('versionName', text(root, 'versionName'));
  const permissions = new Set<string>();
  for (const el of descendants(root)) {
    if (el === root) continue;
    switch (el.name) {
      case 'uses-sdk':
        if (info.minSdk === undefined) set('minSdk', text(el, 'minSdkVersion'));
        if (info.targetSdk === undefined) set('targetSdk', text(el, 'targetSdkVersion'));
        break;
      case 'application':
        if (info.label === undefined) set('label', text(el, 'label'));
        break;
      case 'meta-data': {
        const name = text(el, 'name');
        if (name === undefined) break;
        const value = text(el, 'value') ?? text(el, 'resource');
        if (value !== undefined) info.metaData[name] = value;
        break;
      }
      case 'uses-permission':
      case 'uses-permission-sdk-23':
      case 'uses-permission-sdk-m': {
        const name = text(el, 'name');
        if (name) permissions.add(name);
        break;
      }
    }
  }
  info.permissions = [...permissions];
  return info;
}
