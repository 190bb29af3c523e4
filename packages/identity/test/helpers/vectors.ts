import { readFileSync } from 'node:fs';

/** Lines of a CC0 vector file in test/fixtures, without comments and blank lines. */
export function vectors(file: string): string[] {
  return readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}
