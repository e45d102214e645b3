/**
 * The rules of no one vendor (provider `generic`), one file per concern: private keys, credentials in URLs and tokens,
 * what the code does with a value, values bound to secret names. Each list has its own place in RULES
 * (rules/index.ts), the order the rules are documented and tried in.
 */
export { privateKeyRules } from './private-key.js';
export { credentialUrlRules } from './urls.js';
export { codeRules } from './code.js';
export { boundNameRules } from './names.js';
