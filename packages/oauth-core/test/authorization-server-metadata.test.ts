import { describe, expect, it } from 'vitest';
import { checkAuthorizationServerMetadata, OAuthError, validateAuthorizationServerMetadata } from '../src/index.js';
import { goodAuthorizationServerMetadata, ISSUER } from './fixtures-metadata.js';

function idsFor(change: (m: Record<string, unknown>) => void, expectedIssuer = ISSUER): string[] {
  const m = goodAuthorizationServerMetadata();
  change(m);
  return checkAuthorizationServerMetadata(m, { expectedIssuer }).violations.map((v) => v.id);
}

describe('authorization server metadata: the ATProto profile', () => {
  it('a conforming document has no violations and extra members are harmless (AS-META-16)', () => {
    expect(idsFor((m) => (m.foo = 'bar'))).toEqual([]);
  });

  it('AS-META-01: a JSON array or a non-object body is refused', () => {
    expect(checkAuthorizationServerMetadata([], { expectedIssuer: ISSUER }).violations[0]?.id).toBe('AS-META-01');
    expect(checkAuthorizationServerMetadata('x', { expectedIssuer: ISSUER }).violations[0]?.id).toBe('AS-META-01');
  });

  it.each([
    ['https://other.example', 'differs from the fetch origin'],
    ['http://as.example.com', 'plain http'],
    ['https://as.example.com:443', 'written default port'],
    ['https://as.example.com/', 'trailing slash'],
    ['https://as.example.com/oauth', 'a path'],
    ['https://as.example.com?x=1', 'a query'],
  ])('AS-META-02: issuer %s (%s) is refused', (issuer) => {
    expect(idsFor((m) => (m.issuer = issuer))).toContain('AS-META-02');
  });

  it('AS-META-02: http issuers pass only with allowHttpLoopback on a loopback host', () => {
    const m = { ...goodAuthorizationServerMetadata(), issuer: 'http://127.0.0.1:3000' };
    expect(checkAuthorizationServerMetadata(m, { expectedIssuer: 'http://127.0.0.1:3000' }).violations[0]?.id).toBe(
      'AS-META-02',
    );
    const dev = checkAuthorizationServerMetadata(m, {
      expectedIssuer: 'http://127.0.0.1:3000',
      allowHttpLoopback: true,
    });
    expect(dev.violations.filter((v) => v.id === 'AS-META-02')).toEqual([]);
  });

  it('AS-META-03 / CLIENT-PAR-01: metadata without a PAR endpoint is refused', () => {
    expect(idsFor((m) => delete m.pushed_authorization_request_endpoint)).toContain('AS-META-03');
  });

  it('AS-META-03: a non-https PAR endpoint is refused', () => {
    expect(idsFor((m) => (m.pushed_authorization_request_endpoint = 'http://as.example.com/par'))).toContain(
      'AS-META-03',
    );
  });

  it('CLIENT-PAR-07: a javascript: or data: authorization endpoint is refused', () => {
    expect(idsFor((m) => (m.authorization_endpoint = 'javascript:alert(1)'))).toContain('CLIENT-PAR-07');
    expect(idsFor((m) => (m.authorization_endpoint = 'data:text/html,hi'))).toContain('CLIENT-PAR-07');
  });

  it.each([
    ['AS-META-04', (m: Record<string, unknown>) => (m.response_types_supported = ['token'])],
    ['AS-META-05', (m: Record<string, unknown>) => (m.grant_types_supported = ['authorization_code'])],
    ['AS-META-06', (m: Record<string, unknown>) => (m.code_challenge_methods_supported = ['plain'])],
    ['AS-META-07', (m: Record<string, unknown>) => (m.token_endpoint_auth_methods_supported = ['none'])],
    [
      'AS-META-08',
      (m: Record<string, unknown>) => (m.token_endpoint_auth_signing_alg_values_supported = ['ES256', 'none']),
    ],
    ['AS-META-09', (m: Record<string, unknown>) => (m.scopes_supported = ['transition:generic'])],
    ['AS-META-10', (m: Record<string, unknown>) => delete m.authorization_response_iss_parameter_supported],
    ['AS-META-10', (m: Record<string, unknown>) => (m.authorization_response_iss_parameter_supported = false)],
    ['AS-META-11', (m: Record<string, unknown>) => (m.require_pushed_authorization_requests = false)],
    ['AS-META-12', (m: Record<string, unknown>) => (m.dpop_signing_alg_values_supported = ['RS256'])],
    ['AS-META-13', (m: Record<string, unknown>) => (m.require_request_uri_registration = false)],
    ['AS-META-14', (m: Record<string, unknown>) => delete m.client_id_metadata_document_supported],
  ])('%s: the broken field is reported by its requirement ID', (id, change) => {
    expect(idsFor(change)).toEqual([id]);
  });

  it('validate throws METADATA_INVALID listing every violated ID', () => {
    const m = goodAuthorizationServerMetadata();
    delete m.pushed_authorization_request_endpoint;
    m.dpop_signing_alg_values_supported = [];
    try {
      validateAuthorizationServerMetadata(m, { expectedIssuer: ISSUER });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OAuthError);
      expect((err as OAuthError).code).toBe('METADATA_INVALID');
      expect((err as OAuthError).message).toContain('AS-META-03');
      expect((err as OAuthError).message).toContain('AS-META-12');
    }
  });
});
