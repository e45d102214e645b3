/**
 * The XML DOM parser (@xmldom/xmldom), loaded on first use: most scans parse no XML, and loading it (with its entity
 * tables) cost every scan worker about 45 ms of start-up when the `plist` package pulled it in at load (measured:
 * 283-290 against 239-244 ms from process start to a loaded worker, 2 x 30 runs).
 */
import { createRequire } from 'node:module';

/** The parts of a DOM node the decoders read. */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<DomNode>;
  attributes?: ArrayLike<{ name: string; value: string }>;
}

/** DOM node types (nodeType) the decoders tell apart. */
export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;
export const CDATA_SECTION_NODE = 4;
export const COMMENT_NODE = 8;

const requireCjs = createRequire(import.meta.url);
let xmldom: typeof import('@xmldom/xmldom') | undefined;

/**
 * Parses `text` as XML. `onProblem` hears each warning and error (without it they are dropped, not printed); a fatal
 * error throws xmldom's ParseError.
 */
export function parseXmlDom(text: string, onProblem?: (level: string, message: string) => void): { documentElement: DomNode | null } {
  const { DOMParser } = (xmldom ??= requireCjs('@xmldom/xmldom') as typeof import('@xmldom/xmldom'));
  const parser = new DOMParser({ onError: (level: string, message: string) => onProblem?.(level, message) });
  return parser.parseFromString(text, 'text/xml') as unknown as { documentElement: DomNode | null };
}
