import { randomBytes } from 'node:crypto';
import type { ClientMetadata } from '@relay/oauth-core';
import { AuthorizationServer } from './authorization-server.js';
import { DnsServer } from './dns-server.js';
import { defaultFaults, type Faults } from './faults.js';
import { Grants } from './grants.js';
import { HandleHosts } from './handle-host.js';
import { Pds } from './pds.js';
import { type DidDocument, PlcDirectory } from './plc-directory.js';
import type { LoggedRequest } from './request-log.js';

export interface CreateAccountInput {
  handle: string;
  /** `plc` (default) or `web` (did:web:<handle>). */
  didMethod?: 'plc' | 'web';
  /** Which handle resolution methods answer: DNS TXT, HTTPS well-known, or both (default `dns`). */
  handleVia?: 'dns' | 'well-known' | 'both';
  /** PDS endpoint written in the DID document (default: the testnet PDS). */
  pdsUrl?: string;
}

export interface Account {
  did: string;
  handle: string;
}

/** What a client needs to reach this network (dev mode): feed these to the identity resolver. */
export interface TestnetEndpoints {
  plcDirectoryUrl: string;
  /** `127.0.0.1:<port>` of the loopback DNS server answering `_atproto` TXT. */
  dnsServer: string;
  pdsUrl: string;
  issuer: string;
  /** host name → loopback origin for handle and did:web hosts. */
  hostMap: Record<string, string>;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function plcDid(): string {
  const bytes = randomBytes(24);
  let id = '';
  for (const b of bytes) id += BASE32[b & 31];
  return `did:plc:${id}`;
}

/**
 * The mock ATProto network: a PLC directory, a DNS server, handle hosts, a PDS and an
 * authorization server, all on 127.0.0.1. Strict by default; every misbehaviour is a switch
 * in `faults`. `log` records every request the PDS and the AS saw.
 */
export class Testnet {
  readonly plc = new PlcDirectory();
  readonly dns = new DnsServer();
  readonly hosts = new HandleHosts();
  readonly grants = new Grants();
  readonly log: LoggedRequest[] = [];
  readonly accounts = new Map<string, Account>();
  faults: Faults = defaultFaults();
  readonly as: AuthorizationServer;
  readonly pds: Pds;
  readonly #extraPds: Pds[] = [];

  constructor() {
    this.as = new AuthorizationServer({
      faults: () => this.faults,
      grants: this.grants,
      log: this.log,
      resolveHint: (hint) => this.#resolveHint(hint),
      defaultDid: () => this.accounts.values().next().value?.did,
    });
    this.pds = this.#newPds(() => this.as.issuer);
  }

  #newPds(issuer: () => string): Pds {
    return new Pds({
      faults: () => this.faults,
      grants: this.grants,
      log: this.log,
      issuer,
      resolveHandle: (h) => [...this.accounts.values()].find((a) => a.handle === h)?.did,
    });
  }

  #resolveHint(hint: string): string | undefined {
    const h = hint.toLowerCase().replace(/^@/, '');
    if (h.startsWith('did:')) return this.accounts.has(hint) ? hint : undefined;
    return [...this.accounts.values()].find((a) => a.handle === h)?.did;
  }

  static async start(): Promise<Testnet> {
    const net = new Testnet();
    await Promise.all([net.plc.start(), net.dns.start(), net.as.start(), net.pds.start()]);
    return net;
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.plc.stop(),
      this.dns.stop(),
      this.hosts.stop(),
      this.as.stop(),
      this.pds.stop(),
      ...this.#extraPds.map((p) => p.stop()),
    ]);
  }

  get endpoints(): TestnetEndpoints {
    return {
      plcDirectoryUrl: this.plc.url,
      dnsServer: this.dns.address,
      pdsUrl: this.pds.url,
      issuer: this.as.issuer,
      hostMap: this.hosts.hostMap(),
    };
  }

  /** Restores strict, correct behaviour and forgets the request log. */
  resetFaults(): void {
    this.faults = defaultFaults();
    this.log.length = 0;
  }

  /** A DID document as the reference PDS would publish it. */
  didDocument(did: string, handle: string, pdsUrl: string): DidDocument {
    return {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did,
      alsoKnownAs: [`at://${handle}`],
      verificationMethod: [
        {
          id: `${did}#atproto`,
          type: 'Multikey',
          controller: did,
          publicKeyMultibase: 'zDnaembgSGUhZULN2Caob4HLJPaxBh92N7rtH21TErzqf8HQo',
        },
      ],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pdsUrl }],
    };
  }

  /** Creates an account: DID document, handle records (DNS and/or well-known). */
  async createAccount(input: CreateAccountInput): Promise<Account> {
    const handle = input.handle.toLowerCase();
    const did = input.didMethod === 'web' ? `did:web:${handle}` : plcDid();
    const doc = this.didDocument(did, handle, input.pdsUrl ?? this.pds.url);
    if (input.didMethod === 'web') await this.hosts.setDidDocument(handle, doc);
    else this.plc.documents.set(did, doc);
    const via = input.handleVia ?? 'dns';
    if (via !== 'well-known') this.dns.txt.set(`_atproto.${handle}`, [`did=${did}`]);
    if (via !== 'dns') await this.hosts.setDid(handle, did);
    const account = { did, handle };
    this.accounts.set(did, account);
    return account;
  }

  /** A second PDS whose protected-resource metadata names `issuer` (TOKEN-SUB-03 scenarios). */
  async startForeignPds(issuer: string): Promise<Pds> {
    const pds = this.#newPds(() => issuer);
    await pds.start();
    this.#extraPds.push(pds);
    return pds;
  }

  /** Registers a client metadata document as if the AS had fetched it from its client_id URL. */
  registerClient(metadata: ClientMetadata): void {
    this.as.registerClient(metadata);
  }

  /** Requests the network saw, optionally only those to one endpoint. */
  requests(endpoint?: string): LoggedRequest[] {
    return endpoint ? this.log.filter((r) => r.endpoint === endpoint) : [...this.log];
  }
}
