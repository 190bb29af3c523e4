import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/** Signs arbitrary header/payload JSON: the test's way to build proofs our library would never make. */
export function rawSigner(kind: 'ec' | 'rsa' = 'ec') {
  const { privateKey, publicKey } =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const privateJwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  return {
    publicJwk,
    privateJwk,
    privateKey: privateKey as KeyObject,
    /** header/payload objects (or raw strings) → compact JWS; `pss` picks RSA-PSS for RSA keys */
    sign(header: unknown, payload: unknown, opts: { der?: boolean; pss?: boolean } = {}): string {
      const input = `${b64(header)}.${b64(payload)}`;
      const sig =
        kind === 'ec'
          ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: opts.der ? 'der' : 'ieee-p1363' })
          : sign('sha256', Buffer.from(input), {
              key: privateKey,
              ...(opts.pss ? { padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 } : {}),
            });
      return `${input}.${sig.toString('base64url')}`;
    },
  };
}
