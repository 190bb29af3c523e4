import { json, type StartedServer, startHttpServer, withCors } from './http-server.js';

/** A DID document as the mock directory serves it. */
export interface DidDocument {
  '@context'?: unknown;
  id: string;
  alsoKnownAs?: string[];
  verificationMethod?: unknown[];
  service?: { id: string; type: string; serviceEndpoint: unknown }[];
  [key: string]: unknown;
}

/** A did:plc directory: `GET /<did>` returns the document, 404 for unknown DIDs. */
export class PlcDirectory {
  readonly documents = new Map<string, DidDocument>();
  /** Responses overridden for a DID (faults: HTML, wrong id, oversized…). */
  readonly overrides = new Map<string, () => { status: number; headers?: Record<string, string>; body: string }>();
  /** DIDs requested, in order (tests assert on lookups, e.g. none for invalid input). */
  readonly requests: string[] = [];
  #server?: StartedServer;

  get url(): string {
    if (!this.#server) throw new Error('PLC directory not started');
    return this.#server.origin;
  }

  async start(): Promise<void> {
    // Browser apps resolve DIDs cross-origin, as they do against plc.directory.
    this.#server = await startHttpServer(
      withCors((req) => {
        const did = decodeURIComponent(req.url.pathname.slice(1));
        this.requests.push(did);
        const override = this.overrides.get(did);
        if (override) return override();
        const doc = this.documents.get(did);
        if (!doc) return json(404, { message: `DID not registered: ${did}` });
        return json(200, doc);
      }),
    );
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }
}
