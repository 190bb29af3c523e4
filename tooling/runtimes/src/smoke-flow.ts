import { exportDpopCryptoKey, generateDpopKey } from '@relay/dpop';
import { createIdentityResolver, createSafeFetch, createXrpcHandleResolver } from '@relay/identity';
import { buildLoopbackClientId, loopbackClientMetadata, OAuthClient, type OAuthSession } from '@relay/oauth-core';

/** What the parent process tells the script: where the testnet is and whom to sign in. */
export interface SmokeConfig {
  /** The runtime's name, written into the record the script creates. */
  runtime: string;
  handle: string;
  pdsUrl: string;
  plcDirectoryUrl: string;
  /** A loopback redirect URI (the script plays the browser; nothing listens there). */
  redirectUri: string;
  scope: string;
}

export interface SmokeStep {
  name: SmokeStepName;
  ok: boolean;
  ms: number;
  detail?: string;
  error?: { name: string; code?: string; message: string };
}

export type SmokeStepName =
  | 'discovery'
  | 'par'
  | 'consent'
  | 'callback'
  | 'request'
  | 'refresh'
  | 'request-after-refresh';

export interface SmokeReport {
  runtime: string;
  /** The runtime's own account of itself (version string or user agent). */
  engine: string;
  /** Which @relay/dpop build the runtime's module resolution picked. */
  dpopBuild: 'webcrypto' | 'node:crypto';
  ok: boolean;
  did?: string;
  steps: SmokeStep[];
}

/** The steps of the lane, in order; the parent checks the testnet saw each of them. */
export const SMOKE_STEPS: readonly SmokeStepName[] = [
  'discovery',
  'par',
  'consent',
  'callback',
  'request',
  'refresh',
  'request-after-refresh',
];

type Globals = {
  Deno?: { version: { deno: string } };
  Bun?: { version: string };
  process?: { versions?: { node?: string } };
  navigator?: { userAgent?: string };
};

/** Names the engine without runtime-specific imports: Deno and Bun also define `process`. */
export function describeEngine(): string {
  const g = globalThis as Globals;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `node ${g.process.versions.node}`;
  return g.navigator?.userAgent ?? 'unknown';
}

async function dpopBuild(): Promise<SmokeReport['dpopBuild']> {
  // The WebCrypto build records every key as a CryptoKey pair; the node:crypto build only locked ones.
  try {
    await exportDpopCryptoKey(await generateDpopKey());
    return 'webcrypto';
  } catch {
    return 'node:crypto';
  }
}

function errorOf(err: unknown): SmokeStep['error'] {
  const e = err as { name?: string; code?: unknown; message?: string; cause?: unknown };
  const cause = e?.cause as { message?: string } | undefined;
  return {
    name: String(e?.name ?? 'Error'),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: `${e?.message ?? String(err)}${cause?.message ? ` (cause: ${cause.message})` : ''}`,
  };
}

/**
 * The lane's one script: discovery, PAR, the authorization (played here as the user agent),
 * callback, an authenticated request, a refresh and a request with the new token. Only web APIs
 * and the runtime-neutral entry points: no DNS (handles resolve over XRPC at the PDS, DIDs over
 * fetch), the safe fetch over the global fetch with http and loopback allowed for the testnet.
 * Never throws: each step reports ok or its error, and the run stops at the first failure.
 */
export async function runSmokeFlow(config: SmokeConfig): Promise<SmokeReport> {
  const fetch = createSafeFetch({ allowHttp: true, allowLoopback: true });
  const identity = createIdentityResolver({
    fetch,
    dev: true,
    plcDirectoryUrl: config.plcDirectoryUrl,
    handleResolver: createXrpcHandleResolver({ service: config.pdsUrl, fetch }),
  });
  const clientId = buildLoopbackClientId({ redirectUris: [config.redirectUri], scope: config.scope });
  const client = new OAuthClient({ metadata: loopbackClientMetadata(clientId), identity, fetch, dev: true });

  const report: SmokeReport = {
    runtime: config.runtime,
    engine: describeEngine(),
    dpopBuild: await dpopBuild(),
    ok: false,
    steps: [],
  };
  const step = async <T>(name: SmokeStepName, fn: () => Promise<T>, detail?: (value: T) => string) => {
    const started = Date.now();
    try {
      const value = await fn();
      report.steps.push({ name, ok: true, ms: Date.now() - started, ...(detail ? { detail: detail(value) } : {}) });
      return value;
    } catch (err) {
      report.steps.push({ name, ok: false, ms: Date.now() - started, error: errorOf(err) });
      throw err;
    }
  };

  const writeTrack = async (session: OAuthSession, title: string) => {
    const res = await session.fetch('/xrpc/com.atproto.repo.createRecord', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        repo: session.did,
        collection: 'app.relay.track',
        record: { $type: 'app.relay.track', title, createdAt: new Date().toISOString() },
      }),
    });
    const body = (await res.json()) as { uri?: string };
    if (res.status !== 200 || typeof body.uri !== 'string') {
      throw new Error(`createRecord answered ${res.status}: ${JSON.stringify(body)}`);
    }
    return body.uri;
  };

  try {
    await step(
      'discovery',
      async () => {
        const account = await identity.resolveIdentity(config.handle);
        const { issuer } = await client.metadataResolver.resolveFromPds(account.pds);
        return `${account.did} → ${issuer}`;
      },
      (v) => v,
    );
    const url = await step(
      'par',
      () => client.authorize(config.handle),
      (u) => u.origin + u.pathname,
    );
    const params = await step(
      'consent',
      async () => {
        // The user agent: open the authorization URL, read the redirect back to the app.
        const res = await globalThis.fetch(url.href, { redirect: 'manual' });
        const location = res.headers.get('location');
        await res.body?.cancel();
        if (res.status !== 302 || !location) throw new Error(`the authorization endpoint answered ${res.status}`);
        return new URL(location).searchParams;
      },
      (p) => `code=${p.has('code')} iss=${p.has('iss')}`,
    );
    const { session } = await step(
      'callback',
      () => client.callback(params),
      (r) => r.session.did,
    );
    report.did = session.did;
    await step(
      'request',
      () => writeTrack(session, `${config.runtime}: first`),
      (uri) => uri,
    );
    await step(
      'refresh',
      async () => {
        const before = session.expiresAt;
        await session.refresh();
        return `expiresAt ${before} → ${session.expiresAt}`;
      },
      (v) => v,
    );
    await step(
      'request-after-refresh',
      () => writeTrack(session, `${config.runtime}: after refresh`),
      (uri) => uri,
    );
    report.ok = true;
  } catch {
    // the failing step is recorded above
  }
  return report;
}
