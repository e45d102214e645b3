/** Shannon entropy of `s` in bits per character (0 for the empty string). */
export function shannon(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const ascii = new Uint32Array(128);
  let other: Map<number, number> | undefined;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) ascii[c]!++;
    else {
      other ??= new Map();
      other.set(c, (other.get(c) ?? 0) + 1);
    }
  }
  let bits = 0;
  const add = (count: number): void => {
    const p = count / n;
    bits -= p * Math.log2(p);
  };
  for (let c = 0; c < 128; c++) if (ascii[c]! > 0) add(ascii[c]!);
  if (other) for (const count of other.values()) add(count);
  return bits;
}
