// The Chromium test page. `/` starts a login, `/callback` completes it and uses the session,
// `/restore` reloads it from IndexedDB in a new page, `/contract` runs the store contract kit
// against the IndexedDB stores and NavigatorLock. Results accumulate in sessionStorage and the
// final one is published on `window.__relayResult` for the test to read.
import { isDpopCryptoKeyPair } from '@relay/dpop';
import { createSafeFetch } from '@relay/identity';
import {
  BrowserDatabase,
  buildLoopbackClientId,
  createBrowserOAuthClient,
  IndexedDbSessionStore,
  IndexedDbStateStore,
  loopbackClientMetadata,
  NavigatorLock,
  type OAuthSession,
} from '@relay/oauth-core/browser';
import { defineStoreContractTests } from '@relay/oauth-core/testing';

interface PageConfig {
  handle: string;
  pdsUrl: string;
  plcDirectoryUrl: string;
  scope: string;
}

type Checks = Record<string, unknown>;
const KEY = 'relay-e2e-checks';
const checks = (): Checks => JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Checks;
const note = (more: Checks) => sessionStorage.setItem(KEY, JSON.stringify({ ...checks(), ...more }));
const publish = (result: Checks) => {
  (window as unknown as { __relayResult: Checks }).__relayResult = result;
};

async function writeTrack(session: OAuthSession, title: string): Promise<string> {
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
  if (res.status !== 200 || !body.uri) throw new Error(`createRecord answered ${res.status}`);
  return body.uri;
}

async function login(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as PageConfig;
  const redirectUri = `${location.origin}/callback`;
  const client = await createBrowserOAuthClient({
    metadata: loopbackClientMetadata(buildLoopbackClientId({ redirectUris: [redirectUri], scope: config.scope })),
    handleResolution: { xrpc: config.pdsUrl },
    plcDirectoryUrl: config.plcDirectoryUrl,
    // The testnet is plain http on loopback: allowed here, as in every dev setup.
    fetch: createSafeFetch({ allowHttp: true, allowLoopback: true }),
    dev: true,
    database: 'relay-e2e',
  });
  const params = new URLSearchParams(location.search);
  if (location.pathname === '/') {
    sessionStorage.removeItem(KEY);
    const url = await client.authorize(config.handle);
    note({ authorizeUrl: url.origin + url.pathname });
    location.assign(url.href); // the pending authorization waits in IndexedDB meanwhile
    return;
  }
  if (location.pathname === '/callback') {
    const { session } = await client.callback(params);
    const stored = await client.sessionStore.get(session.did, session.sessionId);
    const key = stored?.dpopKey;
    const locked = isDpopCryptoKeyPair(key) ? key.privateKey : undefined;
    let exportRefused = false;
    if (locked)
      exportRefused = await crypto.subtle.exportKey('jwk', locked).then(
        () => false,
        () => true,
      );
    note({
      did: session.did,
      keyIsCryptoKey: locked instanceof CryptoKey,
      keyExtractable: locked?.extractable,
      exportRefused,
      firstRecord: await writeTrack(session, 'browser: first'),
    });
    await session.refresh();
    note({ afterRefreshRecord: await writeTrack(session, 'browser: after refresh') });
    location.assign(`/restore?${new URLSearchParams({ did: session.did, sid: session.sessionId })}`);
    return;
  }
  if (location.pathname === '/restore') {
    // A new page: the session, its tokens and its non-extractable key come back from IndexedDB.
    const session = await client.restore(params.get('did') ?? '', params.get('sid') ?? '');
    note({ restoredRecord: await writeTrack(session, 'browser: after reload'), ok: true });
    publish(checks());
  }
}

async function contract(): Promise<void> {
  let n = 0;
  const fresh = () => BrowserDatabase.open(`relay-contract-${Date.now()}-${n++}`);
  const tests: { name: string; fn: () => Promise<void> }[] = [];
  const path: string[] = [];
  defineStoreContractTests(
    'IndexedDB + navigator.locks',
    {
      stateStore: async () => new IndexedDbStateStore(await fresh()),
      sessionStore: async () => new IndexedDbSessionStore(await fresh()),
      lockPair: async () => {
        // two connections to one database, as two tabs hold them
        const name = `relay-contract-locks-${n++}`;
        const [a, b] = await Promise.all([BrowserDatabase.open(name), BrowserDatabase.open(name)]);
        return [new NavigatorLock({ database: a }), new NavigatorLock({ database: b })];
      },
      fencedPair: async () => {
        const db = await fresh();
        return [new NavigatorLock({ database: db }), new IndexedDbSessionStore(db)];
      },
    },
    {
      describe(name, fn) {
        path.push(name);
        fn();
        path.pop();
      },
      it(name, fn) {
        tests.push({ name: [...path, name].join(' > '), fn });
      },
    },
  );
  const results: { name: string; ok: boolean; error?: string }[] = [];
  for (const t of tests) {
    try {
      await t.fn();
      results.push({ name: t.name, ok: true });
    } catch (err) {
      results.push({ name: t.name, ok: false, error: (err as Error).message });
    }
  }
  publish({ ok: results.every((r) => r.ok), results });
}

(location.pathname === '/contract' ? contract() : login()).catch((err: unknown) => {
  const e = err as { name?: string; code?: string; message?: string; cause?: { message?: string } };
  publish({
    ok: false,
    ...checks(),
    error: { name: e?.name, code: e?.code, message: e?.message, cause: e?.cause?.message },
  });
});
