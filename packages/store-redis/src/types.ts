import type { Lock, SessionStore } from '@relay/oauth-core';

// The lease and fence shapes of @relay/oauth-core's contracts, named here from the exported
// interfaces (so they follow the contract if it changes).
/** What a lock holder receives: its fence and a signal aborted when the lease ends. */
export type LockLease = Parameters<Parameters<Lock['withLock']>[2]>[0];
/** A fencing token: strictly increasing per lock key. */
export type Fence = LockLease['fence'];
/** The options of `SessionStore.set` (the optional fence). */
export type SessionSetOptions = NonNullable<Parameters<SessionStore['set']>[3]>;
