/** `leakdex rules` and the `--rules FILE` option: list the rule set, load user rules. */
import { parseCommand } from './args.js';
import type { Rule } from '../../rules/types.js';

// The rule registry, the rule docs and the user-rule loader are imported when a command needs them: `leakdex scan`
// imports this module, and its process runs no rule (the scan workers do).

export const RULES_HELP = `Usage: leakdex rules [--format text|json] [--rules FILE]

Lists the detection rules: id, provider, severity, confidence and keywords (or how a bare value is recognised).

Options:
  --format text|json     output format (default text)
  --rules FILE           also list (and validate) the user rules in FILE (schema: docs/rules.md, "User rules")
  -h, --help             show this help
`;

/** Built-in rules plus the user rules of `file` (validated; throws UserRulesError with every problem). */
export async function ruleSet(file?: string): Promise<{ user: Rule[]; all: readonly Rule[] }> {
  const { RULES } = await import('../../rules/index.js');
  const user = file === undefined ? [] : (await import('../detect/user-rules.js')).loadUserRules(file);
  return { user, all: user.length > 0 ? [...RULES, ...user] : RULES };
}

/** Runs `leakdex rules`; usage problems throw. */
export async function rulesCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand('rules', args, { format: { type: 'string', default: 'text' }, rules: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    out.write(RULES_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new Error(`rules takes no file argument (got ${positionals[0]}); use --rules FILE for user rules`);
  const format = String(values.format);
  if (format !== 'text' && format !== 'json') throw new Error(`unknown --format ${format}: use text or json`);
  const { all } = await ruleSet(values.rules);
  const { renderRulesText, summarize } = await import('../detect/rules-doc.js');
  out.write(format === 'json' ? `${JSON.stringify(summarize(all), null, 2)}\n` : renderRulesText(all));
  return 0;
}
