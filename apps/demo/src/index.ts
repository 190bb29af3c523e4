export { type AudioFormat, detectAudioFormat, wavDurationSeconds } from './audio-format.js';
export { DEFAULT_MAX_UPLOAD_BYTES, type DemoConfig, loadConfig, type NetworkChoice } from './config.js';
export { createDemoApp, DEMO_SCOPE, type DemoAppOptions, type DemoLogger } from './create-app.js';
export { describeAuthError, type HumanError } from './describe-auth-error.js';
export { DemoError, type DemoErrorCode } from './errors.js';
export { assertValidRecord, loadRecordLexicon, type RecordLexicon, recordProblems } from './lexicon-validator.js';
export {
  type DemoAccount,
  type LocalNetwork,
  type LocalNetworkKind,
  type NetworkAccess,
  publicNetworkAccess,
  startLocalNetwork,
} from './local-network.js';
export { RedisWebSessionStore } from './redis-web-session-store.js';
export { SqliteWebSessionStore } from './sqlite-web-session-store.js';
export { type RunningDemo, type StartDemoOptions, startDemo } from './start-demo.js';
export { TRACK_COLLECTION, trackLexicon } from './track-lexicon.js';
export { type BlobRef, type Track, type TrackRecord, TrackRepository } from './track-repository.js';
export { MemoryWebSessionStore, type WebSession, type WebSessionStore } from './web-session-store.js';
export { type LoadedSession, WebSessions } from './web-sessions.js';
