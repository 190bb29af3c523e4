import path from 'node:path';
import { DemoError } from './errors.js';

/** Which ATProto network the portal talks to. */
export type NetworkChoice = 'auto' | 'refpds' | 'testnet' | 'public';

/** Everything the portal reads from its environment (see the README's table). */
export interface DemoConfig {
  host: string;
  port: number;
  /** Production: the https origin the portal is served from; enables the confidential client. */
  publicUrl?: string;
  /** Production: the client's private signing keys (P-256 JWKs with `kid`; the last one signs new sessions). */
  clientPrivateKeys?: unknown[];
  /** HMAC key for the session cookie (≥ 32 characters). */
  cookieSecret?: string;
  dataDir: string;
  redisUrl?: string;
  /** Prefix of every Redis key the portal writes (OAuth stores and web sessions). */
  redisPrefix: string;
  /** AES-256-GCM key sealing OAuth sessions at rest (32 bytes). */
  storeEncryptionKey?: Uint8Array;
  maxUploadBytes: number;
  network: Exclude<NetworkChoice, 'auto'> | 'auto';
  plcDirectoryUrl?: string;
  demoHandle: string;
  demoPassword: string;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** The lexicon's `audio.maxSize`: no upload limit above it makes sense. */
export const LEXICON_MAX_AUDIO_BYTES = 50 * 1024 * 1024;

function bad(name: string, what: string): never {
  throw new DemoError('CONFIG_INVALID', `${name} ${what}`);
}

function decodeKey(raw: string): Uint8Array {
  const bytes = Buffer.from(raw.trim(), /[-_]/.test(raw) ? 'base64url' : 'base64');
  if (bytes.length !== 32)
    bad(
      'STORE_ENCRYPTION_KEY',
      `must be 32 bytes in base64 (it decodes to ${bytes.length}); make one with \`openssl rand -base64 32\`.`,
    );
  return new Uint8Array(bytes);
}

/**
 * Reads and checks the portal's environment. Throws `CONFIG_INVALID` naming the variable and
 * what to put in it. Without `PUBLIC_URL` the portal runs as a loopback development client.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): DemoConfig {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const portRaw = get('PORT') ?? '3000';
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    bad('PORT', `must be a port number (0 picks a free one), not "${portRaw}".`);

  const maxRaw = get('MAX_UPLOAD_BYTES');
  const maxUploadBytes = maxRaw === undefined ? DEFAULT_MAX_UPLOAD_BYTES : Number(maxRaw);
  if (!Number.isInteger(maxUploadBytes) || maxUploadBytes < 1024 || maxUploadBytes > LEXICON_MAX_AUDIO_BYTES) {
    bad(
      'MAX_UPLOAD_BYTES',
      `must be a whole number of bytes from 1024 to ${LEXICON_MAX_AUDIO_BYTES}, not "${maxRaw}".`,
    );
  }

  const publicUrl = get('PUBLIC_URL');
  let clientPrivateKeys: unknown[] | undefined;
  if (publicUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(publicUrl);
    } catch {
      bad('PUBLIC_URL', `must be the portal's https origin (https://portal.example.com), not "${publicUrl}".`);
    }
    if (url.protocol !== 'https:' || url.pathname !== '/' || url.search || url.hash) {
      bad('PUBLIC_URL', `must be an https origin without a path (https://portal.example.com), not "${publicUrl}".`);
    }
    const keys = get('CLIENT_PRIVATE_KEYS');
    if (!keys)
      bad(
        'CLIENT_PRIVATE_KEYS',
        'is required with PUBLIC_URL: a private JWK or a JSON array of them (`relay-oauth keygen`).',
      );
    try {
      const parsed: unknown = JSON.parse(keys);
      clientPrivateKeys = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      bad('CLIENT_PRIVATE_KEYS', 'is not JSON: give a private JWK or a JSON array of them.');
    }
    if (!get('COOKIE_SECRET'))
      bad('COOKIE_SECRET', 'is required with PUBLIC_URL: at least 32 random characters (`openssl rand -base64 48`).');
  }
  const cookieSecret = get('COOKIE_SECRET');
  if (cookieSecret !== undefined && cookieSecret.length < 32) bad('COOKIE_SECRET', 'must be at least 32 characters.');

  const networkRaw = get('DEMO_NETWORK') ?? (publicUrl ? 'public' : 'auto');
  if (!['auto', 'refpds', 'testnet', 'public'].includes(networkRaw)) {
    bad('DEMO_NETWORK', `must be auto, refpds, testnet or public, not "${networkRaw}".`);
  }
  if (publicUrl && networkRaw !== 'public')
    bad('DEMO_NETWORK', 'must be public when PUBLIC_URL is set (a deployed portal serves real accounts).');

  const redisUrl = get('REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    bad('REDIS_URL', `must be a redis:// or rediss:// URL, not "${redisUrl}".`);
  const plc = get('PLC_DIRECTORY_URL');
  if (plc !== undefined && !URL.canParse(plc)) bad('PLC_DIRECTORY_URL', `must be a URL, not "${plc}".`);
  const encryption = get('STORE_ENCRYPTION_KEY');

  return {
    host: get('HOST') ?? '127.0.0.1',
    port,
    ...(publicUrl ? { publicUrl: new URL(publicUrl).origin } : {}),
    ...(clientPrivateKeys ? { clientPrivateKeys } : {}),
    ...(cookieSecret ? { cookieSecret } : {}),
    dataDir: path.resolve(cwd, get('DATA_DIR') ?? '.data'),
    ...(redisUrl ? { redisUrl } : {}),
    redisPrefix: get('REDIS_PREFIX') ?? 'relay-demo:',
    ...(encryption ? { storeEncryptionKey: decodeKey(encryption) } : {}),
    maxUploadBytes,
    network: networkRaw as NetworkChoice,
    ...(plc ? { plcDirectoryUrl: plc } : {}),
    demoHandle: (get('DEMO_HANDLE') ?? 'artist.test').toLowerCase(),
    demoPassword: get('DEMO_PASSWORD') ?? 'relay-demo-artist',
  };
}
