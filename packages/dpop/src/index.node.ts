export { generateDpopKey, importDpopKey } from './platform/keys.node.js';
export * from './shared.js';
