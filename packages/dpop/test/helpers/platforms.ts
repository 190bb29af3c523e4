import * as web from '../../src/index.js';
import * as node from '../../src/index.node.js';

/** Both key factories: the WebCrypto build (browsers, Deno, Workers) and the node:crypto build. */
export const PLATFORMS = [
  { name: 'web (WebCrypto)', generateDpopKey: web.generateDpopKey, importDpopKey: web.importDpopKey },
  { name: 'node (node:crypto)', generateDpopKey: node.generateDpopKey, importDpopKey: node.importDpopKey },
] as const;

export function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

export function decodeProof(proof: string) {
  const [h, p, s] = proof.split('.') as [string, string, string];
  return { header: decodeSegment(h), payload: decodeSegment(p), signature: Buffer.from(s, 'base64url') };
}
