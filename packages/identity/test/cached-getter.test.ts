import { describe, expect, it } from 'vitest';
import { createCachedGetter, createMemoryStore } from '../src/index.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createCachedGetter', () => {
  it('single flight: concurrent callers share one lookup per key', async () => {
    let calls = 0;
    const gate = deferred<void>();
    const g = createCachedGetter<string>({
      ttlMs: 1000,
      get: async (k) => {
        calls++;
        await gate.promise;
        return `v:${k}`;
      },
    });
    const ps = [g.get('a'), g.get('a'), g.get('a'), g.get('b')];
    gate.resolve();
    expect(await Promise.all(ps)).toEqual(['v:a', 'v:a', 'v:a', 'v:b']);
    expect(calls).toBe(2);
    expect(await g.get('a')).toBe('v:a');
    expect(calls).toBe(2); // stored
  });

  it('errors are never cached', async () => {
    let calls = 0;
    const g = createCachedGetter<number>({
      ttlMs: 1000,
      get: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return calls;
      },
    });
    await expect(g.get('k')).rejects.toThrow('boom');
    expect(await g.get('k')).toBe(2);
  });

  it('TTL expiry with an injected clock', async () => {
    let now = 0;
    let calls = 0;
    const g = createCachedGetter<number>({ ttlMs: 100, now: () => now, get: async () => ++calls });
    expect(await g.get('k')).toBe(1);
    now = 99;
    expect(await g.get('k')).toBe(1);
    now = 100;
    expect(await g.get('k')).toBe(2);
  });

  it('noCache skips the stored value but joins a lookup already fetching', async () => {
    let calls = 0;
    let gate = deferred<void>();
    const g = createCachedGetter<number>({
      ttlMs: 10_000,
      get: async () => {
        calls++;
        await gate.promise;
        return calls;
      },
    });
    const first = g.get('k');
    const joined = g.get('k', { noCache: true });
    gate.resolve();
    expect(await first).toBe(1);
    expect(await joined).toBe(1);
    gate = deferred<void>();
    const fresh = g.get('k', { noCache: true });
    gate.resolve();
    expect(await fresh).toBe(2); // stored value 1 was bypassed
    expect(await g.get('k')).toBe(2); // and the fresh value was stored
  });

  it('isStale triggers a refresh, and the getter receives the previous value', async () => {
    const seen: (number | undefined)[] = [];
    const g = createCachedGetter<number>({
      ttlMs: 10_000,
      isStale: (_k, v) => v % 2 === 1,
      get: async (_k, { previous }) => {
        seen.push(previous);
        return (previous ?? 0) + 1;
      },
    });
    expect(await g.get('k')).toBe(1);
    expect(await g.get('k')).toBe(2); // 1 was stale → refreshed from previous 1
    expect(await g.get('k')).toBe(2); // 2 is fresh
    expect(seen).toEqual([undefined, 1]);
  });

  it("a caller's signal aborts only its own wait; the shared lookup completes for the others", async () => {
    let calls = 0;
    const gate = deferred<void>();
    const g = createCachedGetter<string>({
      ttlMs: 1000,
      get: async () => {
        calls++;
        await gate.promise;
        return 'done';
      },
    });
    const ac = new AbortController();
    const aborted = g.get('k', { signal: ac.signal });
    const other = g.get('k');
    ac.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
    gate.resolve();
    expect(await other).toBe('done');
    expect(await g.get('k')).toBe('done');
    expect(calls).toBe(1);
  });

  it('delete forgets the stored value', async () => {
    let calls = 0;
    const g = createCachedGetter<number>({ ttlMs: 1000, get: async () => ++calls });
    await g.get('k');
    await g.delete('k');
    expect(await g.get('k')).toBe(2);
  });

  it('works over an async store', async () => {
    const inner = createMemoryStore<number>();
    const store = {
      get: async (k: string) => inner.get(k),
      set: async (k: string, v: number, ttl: number) => inner.set(k, v, ttl),
      delete: async (k: string) => inner.delete(k),
    };
    let calls = 0;
    const g = createCachedGetter<number>({ ttlMs: 1000, store, get: async () => ++calls });
    expect(await Promise.all([g.get('k'), g.get('k')])).toEqual([1, 1]);
    expect(await g.get('k')).toBe(1);
  });
});

describe('createMemoryStore', () => {
  it('evicts the least recently used entry past maxEntries', () => {
    const s = createMemoryStore<number>({ maxEntries: 2 });
    s.set('a', 1, 1000);
    s.set('b', 2, 1000);
    expect(s.get('a')).toBe(1); // a is now most recent
    s.set('c', 3, 1000);
    expect(s.get('b')).toBeUndefined();
    expect(s.get('a')).toBe(1);
    expect(s.get('c')).toBe(3);
  });
  it('ttl 0 stores nothing', () => {
    const s = createMemoryStore<number>();
    s.set('a', 1, 0);
    expect(s.get('a')).toBeUndefined();
  });
});
