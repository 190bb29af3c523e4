// A browser app imports everything from this entry (the whole main entry is re-exported), so one
// copy of OAuthClient and OAuthError is bundled and `instanceof OAuthError` holds.
export * from '../index.js';
export { BrowserDatabase } from './browser-database.js';
export {
  type BrowserHandleResolution,
  type BrowserOAuthClientOptions,
  createBrowserOAuthClient,
} from './create-browser-oauth-client.js';
export { IndexedDbSessionStore } from './indexed-db-session-store.js';
export { IndexedDbStateStore } from './indexed-db-state-store.js';
export { NavigatorLock, type NavigatorLockOptions } from './navigator-lock.js';
