// A real Relay OAuthSession pointed at a loopback "PDS", without a login: the stored session is
// built by hand so the benchmark times session.fetch itself (origin check, expiry check, DPoP
// proof, nonce store, transport).
import { exportDpopKey, generateDpopKey } from '@relay/dpop';
import { createSafeFetch } from '@relay/identity';
import { createNodeSafeFetch } from '@relay/identity/node';
import { buildLoopbackClientId, loopbackClientMetadata, OAuthClient, OAuthSession } from '@relay/oauth-core';

export async function relaySession({ origin, accessToken, transport = 'node' }) {
  const fetch =
    transport === 'node'
      ? createNodeSafeFetch({ allowHttp: true, allowLoopback: true })
      : createSafeFetch({ allowHttp: true, allowLoopback: true });
  const client = new OAuthClient({
    metadata: loopbackClientMetadata(buildLoopbackClientId()),
    identity: {
      resolveIdentity: async () => {
        throw new Error('unused');
      },
    },
    fetch,
    dev: true,
  });
  const key = await generateDpopKey();
  const now = Date.now();
  const stored = {
    did: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz',
    sessionId: 'bench',
    issuer: origin,
    pds: origin,
    dpopKey: await exportDpopKey(key),
    authMethod: { method: 'none' },
    tokens: { accessToken, refreshToken: 'unused', expiresAt: now + 3_600_000, scope: 'atproto' },
    requestedScope: 'atproto',
    createdAt: now,
    updatedAt: now,
  };
  return new OAuthSession(client, stored, key);
}
