/** What `leakdex scan --verify` loads, in one import: the engine and the endpoint table. */
export { orderBySeverity, verifyReport, VerifyConfigError } from './engine.js';
export { parseEndpoints } from './http.js';
