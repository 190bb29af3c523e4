import { describe, expect, it } from 'vitest';
import { checkProtectedResourceMetadata, OAuthError, validateProtectedResourceMetadata } from '../src/index.js';
import { ISSUER, PDS } from './fixtures-metadata.js';

const ids = (doc: unknown) =>
  checkProtectedResourceMetadata(doc, { expectedResource: PDS }).violations.map((v) => v.id);

describe('protected-resource metadata', () => {
  it('one bare-origin authorization server and a matching resource pass', () => {
    const m = validateProtectedResourceMetadata(
      { resource: PDS, authorization_servers: [ISSUER], extra: 1 },
      { expectedResource: PDS },
    );
    expect(m.authorization_servers).toEqual([ISSUER]);
  });

  it.each([
    ['missing', undefined],
    ['empty', []],
    ['two servers', [ISSUER, 'https://as2.example.com']],
    ['a non-string', [42]],
  ])('META-RS-03: authorization_servers %s is refused', (_label, servers) => {
    expect(ids({ resource: PDS, authorization_servers: servers })).toEqual(['META-RS-03']);
  });

  it.each([
    'https://as.example.com:443',
    'https://as.example.com/oauth',
    'https://u@as.example.com',
    'http://as.example.com',
    'https://as.example.com?x=1',
    'https://as.example.com/',
  ])('META-RS-04: authorization server %s is refused', (server) => {
    expect(ids({ resource: PDS, authorization_servers: [server] })).toEqual(['META-RS-04']);
  });

  it('META-RS-04: a non-default port is fine', () => {
    expect(ids({ resource: PDS, authorization_servers: ['https://as.example.com:8443'] })).toEqual([]);
  });

  it('META-RS-05: a resource naming another server is discarded', () => {
    expect(ids({ resource: 'https://evil.example', authorization_servers: [ISSUER] })).toEqual(['META-RS-05']);
    expect(() =>
      validateProtectedResourceMetadata(
        { resource: 'https://evil.example', authorization_servers: [ISSUER] },
        { expectedResource: PDS },
      ),
    ).toThrow(OAuthError);
  });

  it('META-RS-02: a JSON array body is refused', () => {
    expect(ids([ISSUER])).toEqual(['META-RS-02']);
  });
});
