import type { LookupAddress } from 'node:dns';
import { createXrpcHandleResolver, type HandleResolver, type IdentityResolver } from '@relay/identity';
import { createNodeAddressLookup, createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import type { Testnet } from '@relay/testnet';
import { DemoError } from './errors.js';
import type { FetchLike } from './track-repository.js';

/** How the portal reaches an ATProto network: a safe-fetch factory and an identity resolver. */
export interface NetworkAccess {
  /** A safe fetch under this network's address policy; `maxBytes`/`timeoutMs` as for `createNodeSafeFetch`. */
  fetch(options?: { maxBytes?: number; timeoutMs?: number }): FetchLike;
  identity: IdentityResolver;
  /** PDSs and authorization servers on http loopback are acceptable (local networks only). */
  dev: boolean;
}

/** A seeded account of a local network. */
export interface DemoAccount {
  handle: string;
  did: string;
  /** The password to type on the reference PDS's sign-in page (testnet signs in without one). */
  password?: string;
}

export type LocalNetworkKind = 'refpds' | 'testnet';

/** A local ATProto network the portal started (and stops). */
export interface LocalNetwork {
  kind: LocalNetworkKind;
  /** One line for people: what runs where. */
  description: string;
  pdsUrl: string;
  accounts: DemoAccount[];
  access: NetworkAccess;
  /** The mock network itself when `kind` is `testnet` (its consent is scripted through `faults`). */
  testnet?: Testnet;
  /** Creates one more account. */
  createAccount(handle: string, password?: string): Promise<DemoAccount>;
  stop(): Promise<void>;
}

export interface StartLocalNetworkOptions {
  /** `auto` (default): the reference PDS when tooling/refpds is installed, else testnet. */
  kind?: LocalNetworkKind | 'auto';
  /** Seed accounts (`.test` handles). */
  accounts?: ReadonlyArray<{ handle: string; password?: string }>;
  /** Called with the reason when `auto` falls back to testnet. */
  onFallback?: (reason: string) => void;
}

/**
 * The public ATProto network: the OS resolver, DNS TXT and HTTPS handle resolution, plc.directory
 * (or `plcDirectoryUrl`), https only, no private addresses.
 */
export function publicNetworkAccess(options: { plcDirectoryUrl?: string } = {}): NetworkAccess {
  const fetch = createNodeSafeFetch();
  return {
    fetch: (o = {}) => createNodeSafeFetch(o),
    identity: createNodeIdentityResolver({
      fetch,
      ...(options.plcDirectoryUrl ? { plcDirectoryUrl: options.plcDirectoryUrl } : {}),
    }),
    dev: false,
  };
}

/**
 * Name resolution for the reference-PDS network: `localhost` and `*.test` are 127.0.0.1 and every
 * other name does not exist, so nothing the portal fetches can leave the machine.
 */
async function loopbackLookup(hostname: string): Promise<readonly LookupAddress[]> {
  if (hostname === 'localhost' || hostname.endsWith('.test')) return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`the local network has no host ${hostname}`), { code: 'ENOTFOUND' });
}

/**
 * Handles resolve through the PDS's `com.atproto.identity.resolveHandle` — but only `.test`
 * handles: the PDS would resolve any other name over the internet, and this network is offline.
 */
function offlineHandleResolver(inner: HandleResolver): HandleResolver {
  return {
    resolve: (handle, opts) => (handle.endsWith('.test') ? inner.resolve(handle, opts) : Promise.resolve(null)),
  };
}

async function startRefPdsNetwork(options: StartLocalNetworkOptions): Promise<LocalNetwork> {
  const { startRefPds, createRefPdsAccount } = await import('@relay/refpds');
  const pds = await startRefPds({ accounts: (options.accounts ?? []).map((a) => ({ ...a })) });
  const policy = { allowHttp: true, allowLoopback: true, lookup: loopbackLookup } as const;
  const fetch = createNodeSafeFetch(policy);
  const handleResolver = offlineHandleResolver(createXrpcHandleResolver({ service: pds.pdsUrl, fetch }));
  const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl: pds.plcUrl, fetch, handleResolver });
  return {
    kind: 'refpds',
    description: `the reference PDS (@atproto/pds, Node ${pds.nodeVersion}) at ${pds.pdsUrl}, did:plc directory at ${pds.plcUrl}`,
    pdsUrl: pds.pdsUrl,
    accounts: pds.accounts.map((a) => ({ handle: a.handle, did: a.did, password: a.password })),
    access: { fetch: (o = {}) => createNodeSafeFetch({ ...policy, ...o }), identity, dev: true },
    async createAccount(handle, password) {
      const a = await createRefPdsAccount(pds.pdsUrl, { handle, ...(password ? { password } : {}) });
      return { handle: a.handle, did: a.did, password: a.password };
    },
    stop: () => pds.stop(),
  };
}

async function startTestnetNetwork(options: StartLocalNetworkOptions): Promise<LocalNetwork> {
  const { Testnet } = await import('@relay/testnet');
  const net = await Testnet.start();
  const { plcDirectoryUrl, dnsServer } = net.endpoints;
  // Every name lookup goes to the testnet's loopback DNS server, never the system resolver.
  const lookup = createNodeAddressLookup({ servers: [dnsServer] });
  const policy = () => ({ allowHttp: true, allowLoopback: true, hostMap: net.endpoints.hostMap, lookup });
  const fetch = createNodeSafeFetch(policy());
  const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl, dnsServers: [dnsServer], fetch });
  const accounts: DemoAccount[] = [];
  for (const a of options.accounts ?? []) accounts.push(await net.createAccount({ handle: a.handle }));
  return {
    kind: 'testnet',
    description: `the Relay testnet (mock PDS ${net.pds.url}, authorization server ${net.as.issuer}; consent is automatic)`,
    pdsUrl: net.pds.url,
    accounts,
    access: { fetch: (o = {}) => createNodeSafeFetch({ ...policy(), ...o }), identity, dev: true },
    testnet: net,
    createAccount: async (handle) => net.createAccount({ handle }),
    stop: () => net.stop(),
  };
}

/** Starts a local ATProto network seeded with `accounts`: the reference PDS, or testnet. */
export async function startLocalNetwork(options: StartLocalNetworkOptions = {}): Promise<LocalNetwork> {
  const kind = options.kind ?? 'auto';
  try {
    if (kind === 'testnet') return await startTestnetNetwork(options);
    if (kind === 'refpds') return await startRefPdsNetwork(options);
    const { refPdsMissing } = await import('@relay/refpds');
    const missing = refPdsMissing();
    if (missing) {
      options.onFallback?.(missing);
      return await startTestnetNetwork(options);
    }
    return await startRefPdsNetwork(options);
  } catch (err) {
    if (err instanceof DemoError) throw err;
    throw new DemoError(
      'NETWORK_FAILED',
      `Could not start the local ATProto network (${kind}): ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
