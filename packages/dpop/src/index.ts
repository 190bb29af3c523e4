export { generateDpopKey, importDpopKey } from './platform/keys.web.js';
export * from './shared.js';
