import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// "No Node-only import in the main entry": walk dist/index.js and every chunk it imports.
const dist = new URL('../dist/', import.meta.url);

function importGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(new URL(file, dist), 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
    const spec = m[1] as string;
    if (spec.startsWith('./')) importGraph(spec.slice(2), seen);
  }
  return seen;
}

function specifiers(file: string): string[] {
  const text = readFileSync(new URL(file, dist), 'utf8');
  return [...text.matchAll(/(?:from|import|require)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
}

describe.runIf(existsSync(new URL('index.js', dist)))('the built main entry is runtime-neutral', () => {
  it('dist/index.js and its chunks import nothing Node-only (only relative files and zod)', () => {
    const files = [...importGraph('index.js')];
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      for (const spec of specifiers(f)) {
        expect(spec.startsWith('./') || spec === 'zod/mini' || spec === 'zod', `${f} imports ${spec}`).toBe(true);
      }
      expect(readFileSync(new URL(f, dist), 'utf8')).not.toMatch(/\bnode:|\bprocess\.|\bBuffer\b|require\(/);
    }
  });
  it('the node entry is where node: imports live', () => {
    expect(specifiers('node.js').some((s) => s.startsWith('node:'))).toBe(true);
  });
});
