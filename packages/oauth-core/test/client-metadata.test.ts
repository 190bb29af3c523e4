import { describe, expect, it } from 'vitest';
import {
  buildClientMetadata,
  buildLoopbackClientId,
  checkClientId,
  checkClientMetadata,
  generateClientKey,
  Keyset,
  loopbackClientMetadata,
  OAuthError,
  validateClientMetadata,
} from '../src/index.js';
import { CLIENT_ID, goodWebClientMetadata } from './fixtures-metadata.js';

function ids(change: (m: Record<string, unknown>) => void, fetchedFrom?: string): string[] {
  const m = goodWebClientMetadata();
  change(m);
  return checkClientMetadata(m, fetchedFrom ? { fetchedFrom } : {})
    .violations.filter((v) => v.level === 'MUST')
    .map((v) => v.id);
}

describe('client metadata documents', () => {
  it('a good public web client passes with kind public-web', () => {
    const r = validateClientMetadata(goodWebClientMetadata(), { fetchedFrom: CLIENT_ID });
    expect(r.kind).toBe('public-web');
    expect(r.warnings).toEqual([]);
  });

  it.each([
    ['https://app.example.com:8443/m.json', 'META-CLIENT-01'],
    ['http://app.example.com/m.json', 'META-CLIENT-01'],
    ['https://app.example.com/m.json#x', 'META-CLIENT-02'],
    ['https://u:p@app.example.com/m.json', 'META-CLIENT-02'],
    ['https://app.example.com/a/../m.json', 'META-CLIENT-02'],
    ['https://app.example.com/', 'META-CLIENT-02'],
  ])('client_id %s breaks %s', (clientId, id) => {
    expect(checkClientId(clientId).map((v) => v.id)).toContain(id);
  });

  it('META-CLIENT-02: a query string is only a SHOULD warning', () => {
    expect(checkClientId('https://app.example.com/m.json?v=1')).toEqual([
      expect.objectContaining({ id: 'META-CLIENT-02', level: 'SHOULD' }),
    ]);
  });

  it('META-CLIENT-04: client_id must equal the fetch URL by string comparison', () => {
    expect(ids(() => {}, `${CLIENT_ID}/`)).toEqual(['META-CLIENT-04']);
    expect(ids(() => {}, CLIENT_ID.replace('oauth', 'OAuth'))).toEqual(['META-CLIENT-04']);
  });

  it.each([
    ['META-CLIENT-05', (m: Record<string, unknown>) => (m.application_type = 'desktop')],
    ['META-CLIENT-06', (m: Record<string, unknown>) => (m.grant_types = ['refresh_token'])],
    ['META-CLIENT-07', (m: Record<string, unknown>) => (m.scope = 'transition:generic')],
    ['SCOPE-03', (m: Record<string, unknown>) => (m.scope = 'atproto\trepo:*')],
    ['META-CLIENT-08', (m: Record<string, unknown>) => (m.response_types = ['token'])],
    ['META-CLIENT-09', (m: Record<string, unknown>) => (m.redirect_uris = [])],
    ['META-CLIENT-10', (m: Record<string, unknown>) => delete m.dpop_bound_access_tokens],
    ['META-CLIENT-10', (m: Record<string, unknown>) => (m.dpop_bound_access_tokens = false)],
    ['META-CLIENT-11', (m: Record<string, unknown>) => delete m.token_endpoint_auth_method],
    ['META-CLIENT-11', (m: Record<string, unknown>) => (m.token_endpoint_auth_method = 'client_secret_post')],
    ['META-CLIENT-12', (m: Record<string, unknown>) => (m.token_endpoint_auth_signing_alg = 'none')],
    ['META-CLIENT-15', (m: Record<string, unknown>) => (m.logo_uri = 'http://app.example.com/logo.png')],
    ['META-CLIENT-17', (m: Record<string, unknown>) => (m.client_secret = 's3cret')],
    ['REDIRECT-02', (m: Record<string, unknown>) => (m.redirect_uris = ['http://app.example.com/cb'])],
    ['REDIRECT-02', (m: Record<string, unknown>) => (m.redirect_uris = ['https://app.example.com:443/cb'])],
  ])('%s is reported', (id, change) => {
    expect(ids(change)).toContain(id);
  });

  it('REDIRECT-02: a non-default port on a web redirect is fine', () => {
    expect(ids((m) => (m.redirect_uris = ['https://app.example.com:8443/cb']))).toEqual([]);
  });

  it('META-CLIENT-16: a client_uri on another host is a SHOULD warning, never fatal', () => {
    const m = { ...goodWebClientMetadata(), client_uri: 'https://elsewhere.example' };
    const r = validateClientMetadata(m);
    expect(r.warnings.map((w) => w.id)).toEqual(['META-CLIENT-16']);
  });

  describe('native clients', () => {
    const native = (redirect: string) =>
      ids((m) => {
        m.application_type = 'native';
        m.redirect_uris = [redirect];
      });
    it('REDIRECT-03: the reversed client_id host with ":/" is accepted', () => {
      expect(native('com.example.app:/callback')).toEqual([]);
    });
    it.each(['com.example.app://callback', 'app.example.com:/cb', 'com.evil.app:/cb'])(
      'REDIRECT-03: %s is refused',
      (uri) => {
        expect(native(uri)).toContain('REDIRECT-03');
      },
    );
    it('REDIRECT-04: an https redirect on the client_id origin is accepted, another origin is not', () => {
      expect(native('https://app.example.com/ul/cb')).toEqual([]);
      expect(native('https://other.example/cb')).toContain('REDIRECT-04');
    });
    it('REDIRECT-06: loopback redirects must use an IP literal', () => {
      expect(native('http://127.0.0.1:8080/cb')).toEqual([]);
      expect(native('http://localhost:1234/cb')).toContain('REDIRECT-06');
    });
  });

  describe('confidential clients', () => {
    const confidential = (extra: Record<string, unknown>, drop: string[] = []) =>
      ids((m) => {
        Object.assign(m, { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256' });
        Object.assign(m, extra);
        for (const key of drop) delete m[key];
      });

    it('META-CLIENT-13: jwks and jwks_uri together, neither, an http jwks_uri, or empty keys are refused', async () => {
      const keyset = await Keyset.from([await generateClientKey({ kid: 'k1' })]);
      expect(confidential({ jwks: keyset.publicJwks })).toEqual([]);
      expect(confidential({ jwks: keyset.publicJwks, jwks_uri: 'https://app.example.com/jwks' })).toContain(
        'META-CLIENT-13',
      );
      expect(confidential({})).toContain('META-CLIENT-13');
      expect(confidential({ jwks_uri: 'http://app.example.com/jwks' })).toContain('META-CLIENT-13');
      expect(confidential({ jwks: { keys: [] } })).toContain('META-CLIENT-13');
    });

    it('META-CLIENT-12: private_key_jwt needs a signing alg; none must not carry one', () => {
      expect(confidential({ jwks_uri: 'https://a.example/j' }, ['token_endpoint_auth_signing_alg'])).toContain(
        'META-CLIENT-12',
      );
      expect(ids((m) => Object.assign(m, { token_endpoint_auth_signing_alg: 'ES256' }))).toContain('META-CLIENT-12');
    });

    it('META-CLIENT-14: a published key with "d" is refused', async () => {
      const priv = await generateClientKey({ kid: 'k1' });
      expect(
        ids((m) => {
          m.token_endpoint_auth_method = 'private_key_jwt';
          m.token_endpoint_auth_signing_alg = 'ES256';
          m.jwks = { keys: [priv] };
        }),
      ).toContain('META-CLIENT-14');
    });

    it('buildClientMetadata with a keyset publishes public keys only and is confidential', async () => {
      const keyset = await Keyset.from([
        await generateClientKey({ kid: 'old' }),
        await generateClientKey({ kid: 'new' }),
      ]);
      const doc = buildClientMetadata({
        clientId: CLIENT_ID,
        redirectUris: ['https://app.example.com/callback'],
        scope: 'atproto transition:generic',
        keyset,
      });
      expect(doc.token_endpoint_auth_method).toBe('private_key_jwt');
      expect(doc.token_endpoint_auth_signing_alg).toBe('ES256');
      expect(JSON.stringify(doc)).not.toContain('"d"');
      expect(doc.jwks?.keys.map((k) => k.kid)).toEqual(['old', 'new']);
      expect(keyset.newest.kid).toBe('new');
      expect(validateClientMetadata(doc).kind).toBe('confidential');
    });

    it('buildClientMetadata refuses a document an AS would refuse', () => {
      expect(() =>
        buildClientMetadata({ clientId: CLIENT_ID, redirectUris: ['http://app.example.com/cb'], scope: 'atproto' }),
      ).toThrow(expect.objectContaining({ code: 'CLIENT_METADATA_INVALID' }));
    });
  });

  describe('loopback development clients', () => {
    it('LOOPBACK-03: with no parameters the defaults are atproto and both loopback redirects', () => {
      const m = loopbackClientMetadata('http://localhost');
      expect(m.scope).toBe('atproto');
      expect(m.redirect_uris).toEqual(['http://127.0.0.1/', 'http://[::1]/']);
    });

    it('LOOPBACK-04: the virtual document is native, public, DPoP-bound, code + refresh', () => {
      const id = buildLoopbackClientId({
        redirectUris: ['http://127.0.0.1:8080/cb'],
        scope: 'atproto transition:generic',
      });
      expect(id).toBe(
        'http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb&scope=atproto%20transition%3Ageneric',
      );
      const m = loopbackClientMetadata(id);
      expect(m).toMatchObject({
        client_id: id,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        dpop_bound_access_tokens: true,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1:8080/cb'],
        scope: 'atproto transition:generic',
      });
      expect(validateClientMetadata(m).kind).toBe('loopback');
    });

    it.each([
      'http://localhost:8080',
      'http://127.0.0.1',
      'https://localhost',
      'http://localhost/cb',
      'http://localhost?scope=atproto&scope=transition:generic',
      'http://localhost?foo=bar',
      'http://localhost?redirect_uri=http%3A%2F%2Flocalhost%3A8080%2F',
      'http://localhost?redirect_uri=https%3A%2F%2F127.0.0.1%2F',
    ])('LOOPBACK-02/03: %s is refused', (id) => {
      expect(() => loopbackClientMetadata(id)).toThrow(OAuthError);
    });

    it('LOOPBACK-06: a loopback client cannot be configured with private_key_jwt', () => {
      const m = { ...loopbackClientMetadata('http://localhost'), token_endpoint_auth_method: 'private_key_jwt' };
      expect(
        checkClientMetadata({
          ...m,
          token_endpoint_auth_signing_alg: 'ES256',
          jwks_uri: 'https://a.example/j',
        }).violations.map((v) => v.id),
      ).toContain('LOOPBACK-06');
    });

    it('buildLoopbackClientId refuses a scope without atproto and a non-loopback redirect', () => {
      expect(() => buildLoopbackClientId({ scope: 'transition:generic' })).toThrow(OAuthError);
      expect(() => buildLoopbackClientId({ redirectUris: ['http://example.com/cb'] })).toThrow(OAuthError);
    });
  });
});
