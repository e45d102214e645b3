/** Length floors shared by the detector and the rule checks. */

/** Strings shorter than this are scanned only when bound to a name or a code use (then from MIN_BOUND_LENGTH). */
export const MIN_STRING_LENGTH = 8;
/**
 * Shortest value a whole-string rule with a name or code condition may match (a 6-character password bound to
 * `password`, a 4-digit PIN compared in `unlock()`); free rules and keyword rules start at MIN_STRING_LENGTH.
 */
export const MIN_BOUND_LENGTH = 4;
