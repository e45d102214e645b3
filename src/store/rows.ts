/** A row as the drivers return it: column name to value. */
export type Row = Record<string, unknown>;

/** A nullable text column. */
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** A nullable numeric column. */
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** How a column becomes a field: text, number or JSON text; `?` keeps NULL (and, for JSON, empty text) as null. */
type Kind = 'text' | 'text?' | 'num' | 'num?' | 'json' | 'json?';

/** The kinds a field of type V admits (so a spec cannot read a nullable column into a non-null field). */
type KindFor<V> = [V] extends [string] ? 'text' | 'json' : [V] extends [number] ? 'num' : [V] extends [string | null] ? 'text?' | 'json?' : [V] extends [number | null] ? 'num?' : 'json' | 'json?';

/** Per field its kind, read from the snake_case column of the same name, or from [column, kind]. */
export type RowSpec<T> = { [K in keyof T]-?: KindFor<T[K]> | [column: string, kind: KindFor<T[K]>] };

function read(v: unknown, kind: Kind): unknown {
  switch (kind) {
    case 'text':
      return String(v);
    case 'text?':
      return str(v);
    case 'num':
      return Number(v);
    case 'num?':
      return num(v);
    case 'json':
      return JSON.parse(String(v)) as unknown;
    case 'json?':
      return v ? (JSON.parse(String(v)) as unknown) : null;
  }
}

/** A row-to-record function from a spec: `tenantId: 'text'` reads column tenant_id as a string. */
export function rowReader<T>(spec: RowSpec<T>): (r: Row) => T {
  const fields = Object.entries(spec as Record<string, Kind | [string, Kind]>).map(([name, s]): [string, string, Kind] =>
    Array.isArray(s) ? [name, s[0], s[1]] : [name, name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), s],
  );
  return (r) => {
    const out: Record<string, unknown> = {};
    for (const [name, column, kind] of fields) out[name] = read(r[column], kind);
    return out as T;
  };
}
