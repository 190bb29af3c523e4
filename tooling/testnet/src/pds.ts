import { createHash } from 'node:crypto';
import { ScopeSet } from '@relay/oauth-core';
import { authorization, checkDpop, newReplayCache } from './dpop-guard.js';
import type { Faults } from './faults.js';
import type { Grants } from './grants.js';
import {
  html,
  json,
  type MockRequest,
  type MockResponse,
  type StartedServer,
  startHttpServer,
  withCors,
} from './http-server.js';
import { NonceManager } from './nonce-manager.js';
import { finishResponse, type LoggedRequest } from './request-log.js';

export interface StoredRecord {
  uri: string;
  cid: string;
  value: Record<string, unknown>;
}

export interface PdsDeps {
  faults: () => Faults;
  grants: Grants;
  log: LoggedRequest[];
  issuer: () => string;
  /** handle → DID, for com.atproto.identity.resolveHandle. */
  resolveHandle: (handle: string) => string | undefined;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A CIDv1 (sha2-256, base32 "b" multibase) over the bytes: 0x71 dag-cbor for records, 0x55 raw
 * for blobs. The mock hashes JSON instead of DAG-CBOR, but the CID is well-formed, which is what
 * clients validate.
 */
function cidOf(bytes: Uint8Array, codec: 0x71 | 0x55 = 0x71): string {
  const digest = createHash('sha256').update(bytes).digest();
  const raw = Uint8Array.from([0x01, codec, 0x12, 0x20, ...digest]);
  let out = 'b';
  let bits = 0;
  let value = 0;
  for (const byte of raw) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function xrpcError(status: number, error: string, message: string): MockResponse {
  return json(status, { error, message });
}

/** The mock PDS: protected-resource metadata, and repo/blob XRPC methods behind DPoP-bound tokens. */
export class Pds {
  readonly nonces = new NonceManager();
  /** did → collection → rkey → record */
  readonly repos = new Map<string, Map<string, Map<string, StoredRecord>>>();
  readonly blobs = new Map<string, { mimeType: string; bytes: Uint8Array; did: string }>();
  readonly #replay = newReplayCache();
  #server?: StartedServer;
  #tid = 0;

  constructor(private readonly deps: PdsDeps) {}

  get url(): string {
    if (!this.#server) throw new Error('PDS not started');
    return this.#server.origin;
  }

  async start(): Promise<void> {
    // Browser apps call XRPC and the protected-resource metadata cross-origin.
    this.#server = await startHttpServer(withCors((req) => this.#handle(req)));
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  records(did: string, collection: string): StoredRecord[] {
    return [...(this.repos.get(did)?.get(collection)?.values() ?? [])];
  }

  async #handle(req: MockRequest): Promise<MockResponse> {
    const path = req.url.pathname;
    const entry: LoggedRequest = {
      server: 'pds',
      endpoint: path.startsWith('/xrpc/') ? path.slice(6) : path,
      method: req.method,
      path,
      status: 0,
      dpopHeaders: req.headers.dpop === undefined ? [] : ([] as string[]).concat(req.headers.dpop),
      ...(req.headers.authorization ? { authorization: String(req.headers.authorization) } : {}),
    };
    this.nonces.rotateEvery = this.deps.faults().nonceRotateEvery;
    let res: MockResponse;
    try {
      res = await this.#route(req, entry);
    } catch (err) {
      res = xrpcError(500, 'InternalServerError', (err as Error).message);
    }
    return finishResponse(res, entry, {
      nonces: this.nonces,
      omitNonceOnSuccess: this.deps.faults().omitNonceOnSuccess.has('pds'),
      log: this.deps.log,
    });
  }

  prm(): Record<string, unknown> {
    const m: Record<string, unknown> = { resource: this.url, authorization_servers: [this.deps.issuer()] };
    this.deps.faults().prmMetadata?.(m);
    return m;
  }

  async #route(req: MockRequest, entry: LoggedRequest): Promise<MockResponse> {
    const path = req.url.pathname;
    const faults = this.deps.faults();
    this.nonces.rejectAll = faults.nonceRejectAll.has('pds');
    this.nonces.acceptPrevious = !faults.strictNonce;
    const overridden = faults.override?.('pds', { method: req.method, path });
    if (overridden) return overridden;
    if (path === '/.well-known/oauth-protected-resource') {
      entry.endpoint = 'prm';
      if (faults.htmlInsteadOfJson.has('prm')) return html(200, '<html>PDS</html>');
      return json(200, this.prm());
    }
    if (!path.startsWith('/xrpc/')) return xrpcError(404, 'NotFound', 'not found');
    const nsid = path.slice(6);
    const override = faults.pdsOverride?.(nsid);
    if (override) return override;
    switch (nsid) {
      case 'com.atproto.identity.resolveHandle': {
        const did = this.deps.resolveHandle((req.url.searchParams.get('handle') ?? '').toLowerCase());
        return did ? json(200, { did }) : xrpcError(400, 'HandleNotFound', 'Unable to resolve handle');
      }
      case 'com.atproto.repo.getRecord': {
        const q = req.url.searchParams;
        const rec = this.repos
          .get(q.get('repo') ?? '')
          ?.get(q.get('collection') ?? '')
          ?.get(q.get('rkey') ?? '');
        return rec ? json(200, rec) : xrpcError(400, 'RecordNotFound', 'Could not locate record');
      }
      case 'com.atproto.repo.listRecords': {
        const q = req.url.searchParams;
        const all = this.records(q.get('repo') ?? '', q.get('collection') ?? '').reverse();
        const limit = Math.min(100, Number(q.get('limit') ?? 50));
        return json(200, { records: all.slice(0, limit) });
      }
      case 'com.atproto.sync.getBlob': {
        const q = req.url.searchParams;
        const blob = this.blobs.get(q.get('cid') ?? '');
        if (!blob || blob.did !== q.get('did')) return xrpcError(400, 'BlobNotFound', 'Blob not found');
        return {
          status: 200,
          headers: {
            'content-type': blob.mimeType,
            'content-length': String(blob.bytes.byteLength),
            'x-content-type-options': 'nosniff',
          },
          body: blob.bytes,
        };
      }
    }
    // Everything below writes: it needs a DPoP-bound access token.
    const auth = await this.#authenticate(req, entry);
    if ('response' in auth) return auth.response;
    const { sub, scope } = auth;
    switch (nsid) {
      case 'com.atproto.server.getSession':
        return json(200, { did: sub, handle: 'handle.invalid' });
      case 'com.atproto.repo.createRecord':
      case 'com.atproto.repo.putRecord':
      case 'com.atproto.repo.deleteRecord': {
        if (req.method !== 'POST') return xrpcError(405, 'InvalidRequest', 'POST only');
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(req.body.toString('utf8'));
        } catch {
          return xrpcError(400, 'InvalidRequest', 'body must be JSON');
        }
        const repo = String(body.repo ?? '');
        const collection = String(body.collection ?? '');
        if (repo !== sub) return xrpcError(403, 'InvalidToken', 'cannot write to another repo');
        const action = nsid.endsWith('deleteRecord') ? 'delete' : nsid.endsWith('putRecord') ? 'update' : 'create';
        if (!scope.allows({ repo: collection, action })) {
          return xrpcError(403, 'ScopeMissingError', `Missing required scope "repo:${collection}?action=${action}"`);
        }
        const coll = this.#collection(sub, collection);
        if (action === 'delete') {
          coll.delete(String(body.rkey ?? ''));
          return json(200, {});
        }
        const rkey = String(body.rkey ?? this.#nextTid());
        const value = (body.record ?? {}) as Record<string, unknown>;
        const uri = `at://${sub}/${collection}/${rkey}`;
        const cid = cidOf(Buffer.from(JSON.stringify(value)));
        coll.set(rkey, { uri, cid, value });
        return json(200, { uri, cid });
      }
      case 'com.atproto.repo.uploadBlob': {
        const mimeType = String(req.headers['content-type'] ?? 'application/octet-stream');
        if (!scope.allows({ blob: mimeType })) {
          return xrpcError(403, 'ScopeMissingError', `Missing required scope "blob:${mimeType}"`);
        }
        const cid = cidOf(req.body, 0x55);
        this.blobs.set(cid, { mimeType, bytes: new Uint8Array(req.body), did: sub });
        return json(200, { blob: { $type: 'blob', ref: { $link: cid }, mimeType, size: req.body.length } });
      }
    }
    return xrpcError(501, 'MethodNotImplemented', `${nsid} is not implemented by the mock PDS`);
  }

  async #authenticate(
    req: MockRequest,
    entry: LoggedRequest,
  ): Promise<{ sub: string; scope: ScopeSet } | { response: MockResponse }> {
    const auth = authorization(req);
    const challenge = (error: string, description: string) =>
      json(
        401,
        { error: error === 'invalid_token' ? 'InvalidToken' : 'AuthRequired', message: description },
        { 'www-authenticate': `DPoP error="${error}", error_description="${description}", algs="ES256"` },
      );
    if (!auth) return { response: challenge('invalid_token', 'authorization required') };
    // DPOP-SRV-05: a DPoP-bound token under the Bearer scheme is refused.
    if (auth.scheme !== 'DPoP') return { response: challenge('invalid_token', 'DPoP-bound token sent as Bearer') };
    const token = this.deps.grants.accessTokens.get(auth.token);
    if (!token) return { response: challenge('invalid_token', 'unknown or revoked access token') };
    const dpop = await checkDpop({
      req,
      url: `${this.url}${req.url.pathname}`,
      nonces: this.nonces,
      replayCache: this.#replay,
      accessToken: auth.token,
      jkt: token.jkt,
      style: 'rs',
    });
    if (!dpop.ok) return { response: dpop.response };
    entry.dpop = { jkt: dpop.jkt, claims: dpop.claims };
    // Expiry is checked after the proof, so a nonce retry never hides an expired token.
    if (token.expiresAt <= Date.now()) return { response: challenge('invalid_token', 'access token expired') };
    return { sub: token.sub, scope: ScopeSet.parse(token.scope) };
  }

  #collection(did: string, collection: string): Map<string, StoredRecord> {
    let repo = this.repos.get(did);
    if (!repo) {
      repo = new Map();
      this.repos.set(did, repo);
    }
    let coll = repo.get(collection);
    if (!coll) {
      coll = new Map();
      repo.set(collection, coll);
    }
    return coll;
  }

  #nextTid(): string {
    // A sortable record key, good enough for a mock (real TIDs are base32 timestamps).
    return `${Date.now().toString(36)}${(this.#tid++).toString(36).padStart(4, '0')}`;
  }
}
