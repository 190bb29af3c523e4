import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testnet } from '../src/index.js';

// Raw HTTP as a browser sends it: a preflight from a foreign Origin, then the actual request.

let net: Testnet;
const ORIGIN = 'http://127.0.0.1:1'; // any origin other than the servers' own

beforeAll(async () => {
  net = await Testnet.start();
  await net.createAccount({ handle: 'alice.test' });
});
afterAll(() => net.stop());

function preflight(url: string, method: string, headers: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

describe('CORS on the mock network, for browser clients', () => {
  it('AS-META-15: a preflight from a foreign Origin gets ACAO on PAR, token and revocation, with the DPoP header allowed', async () => {
    for (const path of ['/oauth/par', '/oauth/token', '/oauth/revoke']) {
      const res = await preflight(`${net.as.issuer}${path}`, 'POST', 'content-type,dpop');
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('access-control-allow-methods'), path).toContain('POST');
      expect(res.headers.get('access-control-allow-headers'), path).toBe('content-type,dpop');
    }
    // preflights are answered before routing: the request log only holds real requests
    expect(net.requests().filter((r) => r.method === 'OPTIONS')).toEqual([]);
  });

  it('AS-META-15: the metadata document and an error from PAR carry ACAO', async () => {
    const meta = await fetch(`${net.as.issuer}/.well-known/oauth-authorization-server`, {
      headers: { origin: ORIGIN },
    });
    expect(meta.status).toBe(200);
    expect(meta.headers.get('access-control-allow-origin')).toBe('*');
    const par = await fetch(`${net.as.issuer}/oauth/par`, { method: 'POST', headers: { origin: ORIGIN } });
    expect(par.status).toBe(400); // no DPoP proof
    expect(par.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('AS-META-15: the authorization endpoint returns no ACAO, to a preflight or a request', async () => {
    const pre = await preflight(`${net.as.issuer}/oauth/authorize`, 'GET', 'dpop');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${net.as.issuer}/oauth/authorize?request_uri=x&client_id=y`, {
      headers: { origin: ORIGIN },
      redirect: 'manual',
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('NONCE-09: AS and PDS responses expose DPoP-Nonce and WWW-Authenticate to scripts', async () => {
    const token = await fetch(`${net.as.issuer}/oauth/token`, { method: 'POST', headers: { origin: ORIGIN } });
    const xrpc = await fetch(`${net.pds.url}/xrpc/com.atproto.server.getSession`, { headers: { origin: ORIGIN } });
    expect(xrpc.status).toBe(401);
    for (const res of [token, xrpc]) {
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase();
      expect(exposed).toContain('dpop-nonce');
      expect(exposed).toContain('www-authenticate');
    }
  });

  it('the PDS (XRPC, protected-resource metadata) and the PLC directory answer browsers', async () => {
    const pre = await preflight(
      `${net.pds.url}/xrpc/com.atproto.repo.createRecord`,
      'POST',
      'authorization,content-type,dpop',
    );
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,content-type,dpop');
    const prm = await fetch(`${net.pds.url}/.well-known/oauth-protected-resource`, { headers: { origin: ORIGIN } });
    const resolve = await fetch(`${net.pds.url}/xrpc/com.atproto.identity.resolveHandle?handle=alice.test`, {
      headers: { origin: ORIGIN },
    });
    const did = ((await resolve.json()) as { did: string }).did;
    const plc = await fetch(`${net.plc.url}/${encodeURIComponent(did)}`, { headers: { origin: ORIGIN } });
    for (const res of [prm, resolve, plc]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
  });
});
