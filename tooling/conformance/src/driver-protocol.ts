import { z } from 'zod';

// The driver protocol (DRIVER-PROTOCOL.md) as schemas: the suite validates every driver answer
// with these, and `serveDriver` validates every request it receives.

/** Where the mock network lives; the driver points its client's resolvers and fetch here. */
export const networkSchema = z.object({
  /** did:plc directory origin. */
  plcDirectoryUrl: z.string(),
  /** DNS servers answering `_atproto.<handle>` TXT queries, as `host:port`. */
  dnsServers: z.array(z.string()).min(1),
  /** Host name → loopback origin: requests to `https://<host>/…` go to `<origin>/…`. */
  hostMap: z.record(z.string(), z.string()),
  /** An XRPC service answering `com.atproto.identity.resolveHandle`, for clients that resolve handles that way. */
  handleResolverUrl: z.string(),
});
export type DriverNetwork = z.infer<typeof networkSchema>;

export const configureRequestSchema = z.object({
  network: networkSchema,
  client: z.object({
    /** The client metadata document the client must use (and validate). */
    metadata: z.record(z.string(), z.unknown()),
    /** Private ES256 JWKs (with `kid`) of a confidential client, oldest first: new sessions use the last. */
    keys: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  /** Keep sessions and stores of the previous configuration (key-rotation scenarios). */
  keepSessions: z.boolean().optional(),
});
export type ConfigureRequest = z.infer<typeof configureRequestSchema>;

export const authorizeRequestSchema = z.object({
  input: z.string(),
  scope: z.string().optional(),
  state: z.string().optional(),
});
export type AuthorizeRequest = z.infer<typeof authorizeRequestSchema>;

export const callbackRequestSchema = z.object({ query: z.string() });
export type CallbackRequest = z.infer<typeof callbackRequestSchema>;

export const didRequestSchema = z.object({ did: z.string() });
export type DidRequest = z.infer<typeof didRequestSchema>;

export const requestRequestSchema = z.object({
  did: z.string(),
  method: z.string(),
  /** Absolute, or a path resolved against the session's PDS. */
  url: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
});
export type RequestRequest = z.infer<typeof requestRequestSchema>;

/** A refusal: any operation may answer this instead of its result. `UNSUPPORTED` skips the scenario. */
export const driverErrorSchema = z.object({
  error: z.object({ code: z.string().max(200), message: z.string().max(4000).optional() }),
});
export type DriverErrorBody = z.infer<typeof driverErrorSchema>;

export const infoResponseSchema = z.object({
  name: z.string().max(200),
  version: z.string().max(100).optional(),
});
export const okResponseSchema = z.object({ ok: z.literal(true) });
export const authorizeResponseSchema = z.object({ url: z.string().max(8192) });
export const sessionResponseSchema = z.object({ did: z.string().max(2048), scope: z.string().max(65536) });
export const requestResponseSchema = z.object({ status: z.number().int(), body: z.string().max(1_000_000) });

export type SessionInfo = z.infer<typeof sessionResponseSchema>;
export type ProxiedResponse = z.infer<typeof requestResponseSchema>;

/** The error code a driver uses for operations its client does not offer. */
export const UNSUPPORTED = 'UNSUPPORTED';
