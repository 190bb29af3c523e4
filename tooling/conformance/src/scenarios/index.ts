import type { Scenario } from '../scenario.js';
import { callbackChecks } from './callback-checks.js';
import { clientMetadata } from './client-metadata.js';
import { confidentialClient } from './confidential-client.js';
import { didDocuments } from './did-documents.js';
import { handleResolution } from './handle-resolution.js';
import { hostileResponses } from './hostile-responses.js';
import { identifierSyntax } from './identifier-syntax.js';
import { loginFlow } from './login-flow.js';
import { loopbackClient } from './loopback-client.js';
import { nonces } from './nonces.js';
import { pkceDowngrade } from './pkce-downgrade.js';
import { refresh } from './refresh.js';
import { revoke } from './revoke.js';
import { scopeGrammar } from './scope-grammar.js';
import { authorizationServerMetadata, protectedResourceMetadata } from './server-metadata.js';
import { tokenChecks } from './token-checks.js';

/** Every scenario of the client profile, in run order. */
export const CLIENT_SCENARIOS: readonly Scenario[] = [
  loginFlow,
  identifierSyntax,
  handleResolution,
  didDocuments,
  protectedResourceMetadata,
  authorizationServerMetadata,
  callbackChecks,
  tokenChecks,
  nonces,
  refresh,
  revoke,
  confidentialClient,
  clientMetadata,
  loopbackClient,
  scopeGrammar,
  hostileResponses,
  pkceDowngrade,
];
