export { OAuthError, type OAuthErrorCode } from './errors.js';
