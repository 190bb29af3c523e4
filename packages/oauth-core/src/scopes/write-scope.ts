import { percentEncode } from './percent.js';
import { type Permission, REPO_ACTIONS, type RepoAction } from './permission.js';

function sortedUnique(list: readonly string[], star: string): readonly string[] {
  return list.includes(star) ? [star] : [...new Set(list)].sort();
}

/** `resource[:positional][?name=value…]` with a single-valued positional written after `:`. */
function write(
  resource: string,
  positionalName: string,
  params: ReadonlyArray<readonly [string, readonly string[] | string | undefined]>,
): string {
  let head = resource;
  const query: string[] = [];
  for (const [name, value] of params) {
    if (value === undefined) continue;
    const list = typeof value === 'string' ? [value] : value;
    if (name === positionalName && list.length === 1) head += `:${percentEncode(list[0] as string)}`;
    else for (const v of list) query.push(`${name}=${percentEncode(v)}`);
  }
  return query.length > 0 ? `${head}?${query.join('&')}` : head;
}

/**
 * Writes the canonical string of an already valid permission: positional form when one value,
 * repeated params otherwise, arrays sorted and de-duplicated (a `*` absorbs the rest), defaults
 * (all repo actions, account read) omitted, `#` and every reserved byte percent-encoded (PERM-RPC-02).
 * Callers outside this folder use `formatScope`, which validates first.
 */
export function writeScope(p: Permission): string {
  switch (p.resource) {
    case 'atproto':
      return 'atproto';
    case 'transition':
      return `transition:${p.name}`;
    case 'repo': {
      // Unknown actions are kept (and written last) so that validation sees and refuses them;
      // dropping them could leave no action at all, which would read back as "all actions".
      const given = new Set<string>(p.action);
      const known = REPO_ACTIONS.filter((a) => given.has(a));
      const action = [...known, ...[...given].filter((a) => !known.includes(a as RepoAction))];
      const all = known.length === REPO_ACTIONS.length && action.length === known.length;
      return write('repo', 'collection', [
        ['collection', sortedUnique(p.collection, '*')],
        ['action', all ? undefined : action],
      ]);
    }
    case 'rpc':
      return write('rpc', 'lxm', [
        ['lxm', sortedUnique(p.lxm, '*')],
        ['aud', p.aud],
      ]);
    case 'blob':
      return write('blob', 'accept', [['accept', sortedUnique(p.accept, '*/*')]]);
    case 'account':
      return write('account', 'attr', [
        ['attr', p.attr],
        ['action', p.action === 'read' ? undefined : p.action],
      ]);
    case 'identity':
      return write('identity', 'attr', [['attr', p.attr]]);
    case 'include':
      return write('include', 'nsid', [
        ['nsid', p.nsid],
        ['aud', p.aud],
      ]);
  }
}
