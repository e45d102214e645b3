/** A row as the drivers return it: column name to value. */
export type Row = Record<string, unknown>;

/** A nullable text column. */
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** A nullable numeric column (BIGINT arrives as a number from both drivers; COUNT(*) may not). */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
