import type { LoggedRequest, Testnet } from '@relay/testnet';
import type { SmokeConfig } from './smoke-flow.js';

export const LANE_SCOPE = 'atproto repo:app.relay.track';

/** The config of one run: a fresh account per runtime, so the runs cannot see each other's records. */
export async function laneConfig(net: Testnet, runtime: string): Promise<SmokeConfig> {
  const account = await net.createAccount({ handle: `${runtime}-${Date.now().toString(36)}.test` });
  return {
    runtime,
    handle: account.handle,
    pdsUrl: net.pds.url,
    plcDirectoryUrl: net.plc.url,
    redirectUri: 'http://127.0.0.1/callback',
    scope: LANE_SCOPE,
  };
}

/**
 * What the network itself saw of a run (never trusting the runtime's own report): a DPoP-bound PAR,
 * the code exchange and a refresh at the token endpoint, and both records written to the PDS by the
 * account the run signed in. Returns the problems found; empty means the run really happened.
 */
export function networkProblems(net: Testnet, seen: LoggedRequest[], did: string | undefined, runtime: string) {
  const problems: string[] = [];
  if (!did) return ['the run reported no DID'];
  const ok = (r: LoggedRequest) => r.status >= 200 && r.status < 300;
  if (!seen.some((r) => r.endpoint === 'par' && ok(r) && r.dpop)) problems.push('no successful DPoP-bound PAR');
  const grants = seen.filter((r) => r.endpoint === 'token' && ok(r) && r.dpop).flatMap((r) => r.form?.grant_type ?? []);
  if (!grants.includes('authorization_code')) problems.push('no successful code exchange');
  if (!grants.includes('refresh_token')) problems.push('no successful refresh');
  const titles = net.pds.records(did, 'app.relay.track').map((r) => String(r.value.title));
  for (const title of [`${runtime}: first`, `${runtime}: after refresh`]) {
    if (!titles.includes(title)) problems.push(`the PDS holds no record "${title}"`);
  }
  return problems;
}
