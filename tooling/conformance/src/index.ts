export {
  CATALOGUE,
  catalogueWithCoverage,
  isBlocking,
  isClientRow,
  isServerRow,
  requirement,
  UNOBSERVABLE,
} from './catalogue.js';
export type { CatalogueEntry, ClientCoverage, Level, Requirement, Side } from './catalogue-types.js';
export { DriverClient, type Outcome as DriverOutcome, type Refusal } from './driver-client.js';
export {
  type AuthorizeRequest,
  type CallbackRequest,
  type ConfigureRequest,
  type DidRequest,
  type DriverNetwork,
  type ProxiedResponse,
  type RequestRequest,
  type SessionInfo,
  UNSUPPORTED,
} from './driver-protocol.js';
export { type DriverAdapter, type RunningDriver, serveDriver } from './driver-server.js';
export { ConformanceError, type ConformanceErrorCode } from './errors.js';
export type { ProfileResult } from './profile-result.js';
export {
  buildReport,
  hasBlockingFailure,
  type Report,
  type ReportCell,
  type ReportColumn,
  renderHtml,
  renderMarkdown,
  writeReports,
} from './report.js';
export { type ClientProfileOptions, runClientProfile } from './run-client-profile.js';
export { CLIENT_SCENARIOS } from './scenarios/index.js';
export { runServerProfile, SERVER_CHECKS, type ServerProfileOptions } from './server/run-server-profile.js';
export type { Outcome, RowResult, Verdict } from './verdict.js';
