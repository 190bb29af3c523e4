// Small statistics helpers shared by the system benchmarks: these machines are noisy, so every
// figure is a median over interleaved rounds, reported with its spread (min–max).
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(xs) {
  return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
}

/** Runs each named async task once per round, in rotating order, `rounds` times; returns samples. */
export async function interleave(tasks, rounds) {
  const names = Object.keys(tasks);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      samples[name].push(await tasks[name]());
    }
  }
  return samples;
}
