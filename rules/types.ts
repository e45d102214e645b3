/**
 * The rule type. Rules are typed data: a pattern, the keywords that gate it, the conditions on the name the value is
 * bound to, and the examples that prove it. `rules/` imports nothing outside itself.
 */

/** How bad a finding is: `critical` (account takeover, money) down to `info` (public by design). */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** How sure the rule is that the value is the credential it names. */
export type Confidence = 'high' | 'medium' | 'low';

/** An example value, optionally with the name it is bound to (resource name, meta-data name, JSON key) and its scope. */
export interface RuleExample {
  text: string;
  context?: string;
  scope?: string;
  /** What the code does with the value (docs/code-context.md), e.g. `return in com.x.Keys.consumerSecret`. */
  code?: string;
}

/** A severity/confidence change applied when its condition holds; the first matching adjustment wins. */
export interface RuleAdjustment {
  when: {
    /** The value's bound name matches. */
    context?: RegExp;
    /** The secret itself matches (e.g. `^sk_test_`). */
    secret?: RegExp;
    /** The value's code use matches (docs/code-context.md). */
    code?: RegExp;
  };
  severity?: Severity;
  confidence?: Confidence;
  reason: string;
}

/** How a rule's match combines with another rule's match into one credential. */
export interface RulePairing {
  ruleId: string;
  severity: Severity;
  confidence: Confidence;
  reason: string;
  /** Report this rule's matches only when paired. */
  required?: boolean;
  /** Fold the partner's finding into this one (its locations included) instead of reporting it on its own. */
  absorb?: boolean;
}

/** The fields a rule shape may replace. */
export type RuleShape = Pick<Rule, 'pattern' | 'keywords'> &
  Partial<Pick<Rule, 'whole' | 'context' | 'minEntropy' | 'looksRandom' | 'secretMustMatch' | 'textMustMatch' | 'pairWith' | 'supersedes' | 'allow'>>;

/** One detection rule. */
export interface Rule {
  /** Stable id, kebab-case; a contract with reports, baselines and the sample builder. */
  id: string;
  provider: string;
  title: string;
  /** Default severity when found alone and no adjustment applies. */
  severity: Severity;
  confidence: Confidence;
  /**
   * Pattern over the string; the named group `secret`, or the whole match, is the secret. No nested quantifiers and
   * every quantifier bounded. Written without the `g` flag: the engine adds it. Whole-string rules anchor with `^...$`.
   */
  pattern: RegExp;
  /** Lower-case literals; one must occur in the text before the pattern runs. Empty only for whole-string rules. */
  keywords: string[];
  /**
   * The pattern must match the whole decoded string (trimmed): for bare values like a 50-character Twitter secret
   * that only a bound name or a partner can identify. `length` bounds the trimmed string.
   */
  whole?: { length: [min: number, max: number] };
  /** Shannon bits per character of the secret must reach this. */
  minEntropy?: number;
  /**
   * The secret must look random: no common words (with, hmac, android, token...), no long single-case letter runs,
   * enough distinct characters. For generic rules, where the name is the only other evidence.
   */
  looksRandom?: boolean;
  /** A fallback (the generic rules): dropped when any other rule matched the same string. */
  fallback?: boolean;
  /** Every one of these must match the secret (e.g. upper case, lower case and a digit for random keys). */
  secretMustMatch?: RegExp[];
  /** Every one of these must match somewhere in the same decoded string (e.g. an SAS `sv=` beside `sig=`). */
  textMustMatch?: RegExp[];
  /** Conditions on the name the value is bound to (`DecodedString.context`). Case-insensitive regexes. */
  context?: {
    /** The bound name must match, unless `code` or `orPaired` lets something else stand in for it. */
    require?: RegExp;
    /**
     * What the code does with the value (DEX code context: `arg 0 of javax.crypto.spec.SecretKeySpec.<init> ...`,
     * `return in com.x.Keys.consumerSecret`) matches: an alternative to `require` (either one will do). Case-sensitive
     * where the rule says so: the text is generated, with exact class and method names.
     */
    code?: RegExp;
    /** Without a matching name, keep the value only when it pairs with `pairWith.ruleId` (same entry or scope). */
    orPaired?: boolean;
    /**
     * Without a matching name, keep the value when another string of the same scope matches this (case-insensitive):
     * the same DEX class (static values of one class), or the same structured config file (JSON, plist, properties).
     */
    scope?: RegExp;
  };
  /** Severity/confidence changes; the first whose conditions all hold applies. */
  adjust?: RuleAdjustment[];
  /** This rule's secret completes a credential with another rule's match in the same entry or DEX class scope. */
  pairWith?: RulePairing;
  /** Ids of rules whose matches near this one in the same string it replaces (a more specific reading of the same text). */
  supersedes?: string[];
  /** Further shapes of the same credential (e.g. a whole JSON document and its decoded fields); each replaces these fields. */
  shapes?: RuleShape[];
  /** Secrets matching any of these are never reported (docs examples, placeholders). */
  allow?: RegExp[];
  /** Why the default severity is what it is, e.g. the public-by-design explanation. */
  reason?: string;
  /** Values the rule must report and must not report; the test suite runs each through the real detector. */
  examples: { match: Array<string | RuleExample>; noMatch: Array<string | RuleExample> };
}
