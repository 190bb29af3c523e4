export { createOfficialDriverAdapter } from './official-driver.js';
export { createRelayDriverAdapter } from './relay-driver.js';
