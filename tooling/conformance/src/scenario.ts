import type { Account, CreateAccountInput, LoggedRequest, Testnet } from '@relay/testnet';
import { exportJWK, generateKeyPair } from 'jose';
import { followAuthorization } from './browser.js';
import type { DriverClient, Outcome, Refusal } from './driver-client.js';
import { type ConfigureRequest, type SessionInfo, UNSUPPORTED } from './driver-protocol.js';
import type { Verdict } from './verdict.js';

/** One scenario of the client profile: sets up the misbehaviour it needs, drives the client, judges. */
export interface Scenario {
  id: string;
  title: string;
  /** Every requirement id this scenario may judge. */
  judges: readonly string[];
  run(ctx: ScenarioContext): Promise<void>;
}

/** Thrown to stop a scenario whose precondition the client cannot meet (its judged rows are skipped). */
export class SkipScenario extends Error {}

export const CLIENT_HOST = 'client.conformance.test';
export const CLIENT_ID = `https://${CLIENT_HOST}/oauth-client-metadata.json`;
export const REDIRECT_URI = `https://${CLIENT_HOST}/callback`;
export const DEFAULT_SCOPE = 'atproto transition:generic';

/** The public web client every scenario starts with, unless it configures another. */
export function webClientMetadata(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: CLIENT_ID,
    client_name: 'Conformance client',
    client_uri: `https://${CLIENT_HOST}`,
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    scope: DEFAULT_SCOPE,
    token_endpoint_auth_method: 'none',
    dpop_bound_access_tokens: true,
    ...overrides,
  };
}

/** A fresh ES256 private JWK with a kid, as a confidential client's key. */
export async function newClientKey(kid: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
}

/** Public half of a private JWK. */
export function publicJwk(jwk: Record<string, unknown>): Record<string, unknown> {
  const { d: _d, ...pub } = jwk;
  return pub;
}

export interface LoginResult {
  /** Where the flow stopped: the driver refused at authorize or callback, or it completed. */
  stage: 'authorize' | 'browser' | 'callback' | 'done';
  session?: SessionInfo;
  refusal?: Refusal;
  authorizationUrl?: string;
  query?: string;
}

/** Counts of everything the client could have touched, to prove "no network I/O". */
export interface Traffic {
  log: number;
  dns: number;
  plc: number;
  hosts: number;
}

/** What a scenario works with: the network, the driver, and the judge's pen. */
export class ScenarioContext {
  readonly verdicts: Verdict[] = [];
  /** Every authorization URL the client produced, in order. */
  readonly authorizationUrls: string[] = [];
  #configured = false;
  #client: { metadata: Record<string, unknown>; keys?: Record<string, unknown>[] } = {
    metadata: webClientMetadata(),
  };

  constructor(
    readonly scenario: Scenario,
    readonly net: Testnet,
    readonly driver: DriverClient,
  ) {}

  // ---- judging ----------------------------------------------------------------------------

  /** Records a pass or a fail for a requirement this scenario judges. */
  check(id: string, ok: boolean, detail?: string): boolean {
    if (!this.scenario.judges.includes(id)) throw new Error(`${this.scenario.id} judges ${id} without declaring it`);
    this.verdicts.push({
      id,
      by: this.scenario.id,
      outcome: ok ? 'pass' : 'fail',
      ...(detail && !ok ? { detail } : {}),
    });
    return ok;
  }

  /** Optional (MAY) behaviour: present is a pass, absent is "not applicable", never a fail. */
  observe(id: string, present: boolean, detail?: string): void {
    this.verdicts.push({ id, by: this.scenario.id, outcome: present ? 'pass' : 'na', ...(detail ? { detail } : {}) });
  }

  /** Skips when the driver refused with UNSUPPORTED. */
  requireSupported<T>(outcome: Outcome<T>, what: string): void {
    if (outcome.refused && outcome.code === UNSUPPORTED) throw new SkipScenario(`the client does not offer ${what}`);
  }

  // ---- network set-up ---------------------------------------------------------------------

  async account(input: CreateAccountInput): Promise<Account> {
    const account = await this.net.createAccount(input);
    this.#configured = false;
    return account;
  }

  /** Marks the driver for reconfiguration (a host was added to the network). */
  networkChanged(): void {
    this.#configured = false;
  }

  configureRequest(keepSessions = false): ConfigureRequest {
    const e = this.net.endpoints;
    return {
      network: {
        plcDirectoryUrl: e.plcDirectoryUrl,
        dnsServers: [e.dnsServer],
        hostMap: e.hostMap,
        handleResolverUrl: e.pdsUrl,
      },
      client: { metadata: this.#client.metadata, ...(this.#client.keys ? { keys: this.#client.keys } : {}) },
      ...(keepSessions ? { keepSessions: true } : {}),
    };
  }

  /**
   * Gives the driver a client (metadata, keys) and the network. The AS learns the metadata as if
   * it had fetched the client_id URL. Returns the driver's answer (a refusal for bad metadata).
   */
  async configure(
    client?: { metadata: Record<string, unknown>; keys?: Record<string, unknown>[] },
    options: { keepSessions?: boolean; register?: boolean } = {},
  ): Promise<Outcome<{ ok: true }>> {
    if (client) this.#client = client;
    if (options.register !== false && typeof this.#client.metadata.client_id === 'string') {
      this.net.registerClient(this.#client.metadata as never);
    }
    const outcome = await this.driver.configure(this.configureRequest(options.keepSessions));
    this.#configured = !outcome.refused;
    if (outcome.refused && outcome.code === UNSUPPORTED) throw new SkipScenario('the driver refused this client');
    return outcome;
  }

  async ready(): Promise<void> {
    if (this.#configured) return;
    const outcome = await this.configure(undefined, { keepSessions: true });
    if (outcome.refused) throw new Error(`driver refused the standard client: ${outcome.code} ${outcome.message}`);
  }

  // ---- driving ----------------------------------------------------------------------------

  /** authorize → scripted consent → callback. */
  async login(input: string, options: { scope?: string; state?: string } = {}): Promise<LoginResult> {
    await this.ready();
    const auth = await this.driver.authorize({ input, ...options });
    if (auth.refused) return { stage: 'authorize', refusal: auth };
    this.authorizationUrls.push(auth.url);
    let query: string;
    try {
      query = await followAuthorization(auth.url);
    } catch (err) {
      return {
        stage: 'browser',
        authorizationUrl: auth.url,
        refusal: { refused: true, code: 'BROWSER', message: String(err) },
      };
    }
    const cb = await this.driver.callback(query);
    if (cb.refused) return { stage: 'callback', refusal: cb, authorizationUrl: auth.url, query };
    return { stage: 'done', session: { did: cb.did, scope: cb.scope }, authorizationUrl: auth.url, query };
  }

  /** A login that must succeed for the scenario to continue. */
  async mustLogin(input: string, options: { scope?: string } = {}): Promise<SessionInfo> {
    const result = await this.login(input, options);
    if (!result.session) {
      throw new Error(
        `login as ${input} failed at ${result.stage}: ${result.refusal?.code} ${result.refusal?.message}`,
      );
    }
    return result.session;
  }

  /** An XRPC call through the client's session. */
  async xrpc(did: string, nsid: string, body?: unknown, method?: string) {
    await this.ready();
    return this.driver.request({
      did,
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      url: `${this.net.pds.url}/xrpc/${nsid}`,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
  }

  /** createRecord of a small record in the account's repo. */
  writeRecord(did: string, title = 'conformance') {
    return this.xrpc(did, 'com.atproto.repo.createRecord', {
      repo: did,
      collection: 'app.relay.track',
      record: { $type: 'app.relay.track', title, createdAt: new Date().toISOString() },
    });
  }

  // ---- observing --------------------------------------------------------------------------

  requests(endpoint?: string): LoggedRequest[] {
    return this.net.requests(endpoint);
  }

  /** Requests to an AS or PDS path (overridden responses keep their raw path). */
  byPath(path: string): LoggedRequest[] {
    return this.net.log.filter((r) => r.path === path);
  }

  traffic(): Traffic {
    let hosts = 0;
    for (const name of Object.keys(this.net.endpoints.hostMap)) hosts += this.net.hosts.connections(name);
    return { log: this.net.log.length, dns: this.net.dns.queries.length, plc: this.net.plc.requests.length, hosts };
  }

  /** True when nothing was sent anywhere since `before`. */
  quietSince(before: Traffic): boolean {
    const now = this.traffic();
    return now.log === before.log && now.dns === before.dns && now.plc === before.plc && now.hosts === before.hosts;
  }

  /** Forgets the request log and restores correct behaviour (accounts and sessions stay). */
  reset(): void {
    this.net.resetFaults();
  }
}
