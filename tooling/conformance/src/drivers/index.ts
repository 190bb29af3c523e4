export { createRelayDriverAdapter } from './relay-driver.js';
