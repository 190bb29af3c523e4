import { json, type MockResponse, type StartedServer, startHttpServer } from './http-server.js';

interface Site {
  server: StartedServer;
  /** The body of `/.well-known/atproto-did` (normally the DID). */
  did?: string;
  /** The body of `/.well-known/did.json` (did:web documents). */
  didDocument?: unknown;
  /** A custom answer for any path (faults: HTML, redirects, oversized or slow bodies). */
  override?: (path: string) => MockResponse | undefined;
}

/**
 * The web hosts of handles and did:web identities. Each host name gets its own loopback server,
 * because a client reaches `https://<name>/…` through a host map that rewrites the origin (so the
 * `Host` header cannot tell names apart). `hostMap()` is what a client's safe fetch needs.
 */
export class HandleHosts {
  readonly #sites = new Map<string, Site>();

  async #site(hostname: string): Promise<Site> {
    const name = hostname.toLowerCase();
    let site = this.#sites.get(name);
    if (!site) {
      const s: Partial<Site> = {};
      s.server = await startHttpServer((req) => {
        const path = req.url.pathname;
        const overridden = s.override?.(path);
        if (overridden) return overridden;
        if (path === '/.well-known/atproto-did' && s.did !== undefined) {
          return { status: 200, headers: { 'content-type': 'text/plain' }, body: `${s.did}\n` };
        }
        if (path === '/.well-known/did.json' && s.didDocument !== undefined) return json(200, s.didDocument);
        return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
      });
      site = s as Site;
      this.#sites.set(name, site);
    }
    return site;
  }

  async setDid(hostname: string, did: string | undefined): Promise<void> {
    (await this.#site(hostname)).did = did;
  }

  async setDidDocument(hostname: string, doc: unknown): Promise<void> {
    (await this.#site(hostname)).didDocument = doc;
  }

  async setOverride(
    hostname: string,
    override: ((path: string) => MockResponse | undefined) | undefined,
  ): Promise<void> {
    (await this.#site(hostname)).override = override;
  }

  /** TCP connections a host name's server accepted (SSRF tests assert none were opened). */
  connections(hostname: string): number {
    return this.#sites.get(hostname.toLowerCase())?.server.connections() ?? 0;
  }

  /** host name → loopback origin, for the client's `hostMap` (dev/test only). */
  hostMap(): Record<string, string> {
    return Object.fromEntries([...this.#sites].map(([name, site]) => [name, site.server.origin]));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#sites.values()].map((s) => s.server.close()));
    this.#sites.clear();
  }
}
