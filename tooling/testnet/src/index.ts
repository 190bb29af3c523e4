export { AuthorizationServer } from './authorization-server.js';
export { DnsServer } from './dns-server.js';
export { type ConsentContext, type ConsentDecision, defaultFaults, type Faults } from './faults.js';
export { type AccessToken, type Grant, Grants } from './grants.js';
export { HandleHosts } from './handle-host.js';
export {
  type CorsOptions,
  html,
  json,
  type MockRequest,
  type MockResponse,
  type StartedServer,
  startHttpServer,
  withCors,
} from './http-server.js';
export { NonceManager } from './nonce-manager.js';
export { Pds, type StoredRecord } from './pds.js';
export { type DidDocument, PlcDirectory } from './plc-directory.js';
export type { LoggedRequest } from './request-log.js';
export { type Account, type CreateAccountInput, Testnet, type TestnetEndpoints } from './testnet.js';
