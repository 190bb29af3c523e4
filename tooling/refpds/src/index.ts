export { type CallbackServer, type CallbackServerOptions, startCallbackServer } from './callback-server.js';
export {
  CHROMIUM_ARGS,
  type ChromiumLoginOptions,
  type ChromiumLoginResult,
  DEFAULT_CHROMIUM_PATH,
  loginWithChromium,
} from './chromium-login.js';
export { RefPdsError, type RefPdsErrorCode } from './errors.js';
export { type PeerPaths, peerPaths, refPdsMissing } from './peer-paths.js';
export {
  loginWithProviderApi,
  PROVIDER_API_PREFIX,
  type ProviderLoginOptions,
  type ProviderLoginResult,
} from './provider-login.js';
export {
  createRefPdsAccount,
  type RefPds,
  type RefPdsAccount,
  type RefPdsAccountInput,
  type RefPdsStartTimings,
  type StartRefPdsOptions,
  startRefPds,
} from './start-ref-pds.js';
