/** `leakdex rules` and the `--rules FILE` option: list the rule set, load user rules. */
import { parseCommand } from './args.js';
import { RULES } from '../../rules/index.js';
import type { Rule } from '../../rules/types.js';
import { renderRulesText, summarize } from '../detect/rules-doc.js';
import { loadUserRules } from '../detect/user-rules.js';

export const RULES_HELP = `Usage: leakdex rules [--format text|json] [--rules FILE]

Lists the detection rules: id, provider, severity, confidence and keywords (or how a bare value is recognised).

Options:
  --format text|json     output format (default text)
  --rules FILE           also list (and validate) the user rules in FILE (schema: docs/rules.md, "User rules")
  -h, --help             show this help
`;

/** Built-in rules plus the user rules of `file` (validated; throws UserRulesError with every problem). */
export function ruleSet(file?: string): { user: Rule[]; all: readonly Rule[] } {
  const user = file === undefined ? [] : loadUserRules(file);
  return { user, all: user.length > 0 ? [...RULES, ...user] : RULES };
}

/** Runs `leakdex rules`; usage problems throw. */
export function rulesCommand(args: string[], out: NodeJS.WritableStream): number {
  const { values, positionals } = parseCommand('rules', args, { format: { type: 'string', default: 'text' }, rules: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    out.write(RULES_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new Error(`rules takes no file argument (got ${positionals[0]}); use --rules FILE for user rules`);
  const format = String(values.format);
  if (format !== 'text' && format !== 'json') throw new Error(`unknown --format ${format}: use text or json`);
  const { all } = ruleSet(values.rules);
  out.write(format === 'json' ? `${JSON.stringify(summarize(all), null, 2)}\n` : renderRulesText(all));
  return 0;
}
