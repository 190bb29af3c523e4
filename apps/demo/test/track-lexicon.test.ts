import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DemoError } from '../src/errors.js';
import { assertValidRecord, loadRecordLexicon, recordProblems } from '../src/lexicon-validator.js';
import { trackLexicon } from '../src/track-lexicon.js';

const valid = () => ({
  $type: 'app.relay.track',
  title: 'Night Drive',
  artist: 'The Loopbacks',
  genre: 'Synthwave',
  audio: { $type: 'blob', ref: { $link: 'bafkreiabc' }, mimeType: 'audio/wav', size: 16044 },
  duration: 2,
  createdAt: '2026-11-26T16:00:00.000Z',
});

describe('the committed app.relay.track lexicon', () => {
  it('is the JSON file under lexicons/, loaded with its required fields', () => {
    const json = JSON.parse(readFileSync(new URL('../lexicons/app/relay/track.json', import.meta.url), 'utf8'));
    expect(json.id).toBe('app.relay.track');
    expect(trackLexicon.id).toBe('app.relay.track');
    expect([...trackLexicon.required].sort()).toEqual(['artist', 'audio', 'createdAt', 'duration', 'title']);
  });

  it('accepts a complete track, with and without the optional fields', () => {
    expect(recordProblems(trackLexicon, valid())).toEqual([]);
    const { genre: _g, ...minimal } = valid();
    expect(recordProblems(trackLexicon, minimal)).toEqual([]);
    expect(recordProblems(trackLexicon, { ...valid(), description: 'Two seconds of A440.' })).toEqual([]);
  });

  it.each([
    ['a missing title', { title: undefined }, 'title is required'],
    ['an empty artist', { artist: '' }, 'artist must not be empty'],
    ['a title over 100 graphemes', { title: 'a'.repeat(101) }, 'title is too long (101 characters, at most 100)'],
    ['a title over 1000 UTF-8 bytes', { title: '🎵'.repeat(99) + 'a'.repeat(700) }, 'title is too long'],
    ['a non-integer duration', { duration: 2.5 }, 'duration must be a whole number'],
    ['a zero duration', { duration: 0 }, 'duration must be at least 1'],
    ['a duration over a day', { duration: 86_401 }, 'duration must be at most 86400'],
    ['a date without a time zone', { createdAt: '2026-11-26T16:00:00' }, 'createdAt must be an RFC 3339 date-time'],
    ['an impossible date', { createdAt: '2026-13-45T16:00:00Z' }, 'createdAt must be an RFC 3339 date-time'],
    [
      'a video blob',
      { audio: { ...valid().audio, mimeType: 'video/mp4' } },
      'audio has type video/mp4, expected audio/*',
    ],
    ['a blob over 50 MiB', { audio: { ...valid().audio, size: 52_428_801 } }, 'audio is 52428801 bytes'],
    [
      'a blob without ref',
      { audio: { $type: 'blob', mimeType: 'audio/wav', size: 1 } },
      'audio must be a blob reference',
    ],
    ['another $type', { $type: 'app.bsky.feed.post' }, '$type must be app.relay.track'],
    ['an unknown field', { lyrics: 'la la' }, 'lyrics is not a field of app.relay.track'],
  ])('refuses %s', (_name, patch, problem) => {
    const record = { ...valid(), ...patch };
    expect(recordProblems(trackLexicon, record).join('; ')).toContain(problem);
    expect(() => assertValidRecord(trackLexicon, record)).toThrow(DemoError);
  });

  it('counts graphemes, not code units: 100 emoji with modifiers are 100 characters', () => {
    const title = '👍🏽'.repeat(100); // 4 UTF-16 units, 8 UTF-8 bytes each; 800 bytes ≤ 1000
    expect(recordProblems(trackLexicon, { ...valid(), title })).toEqual([]);
    expect(recordProblems(trackLexicon, { ...valid(), title: `${title}👍🏽` }).join()).toContain('101 characters');
  });

  it('RECORD_INVALID lists every problem in details', () => {
    try {
      assertValidRecord(trackLexicon, { ...valid(), title: '', duration: -1 });
      expect.unreachable();
    } catch (err) {
      expect((err as DemoError).code).toBe('RECORD_INVALID');
      expect((err as DemoError).details).toEqual(['title must not be empty', 'duration must be at least 1']);
    }
  });
});

describe('the validator refuses lexicon constructs it does not implement', () => {
  const doc = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    lexicon: 1,
    id: 'app.relay.example',
    defs: { main: { type: 'record', key: 'tid', record: { type: 'object', properties: props, ...extra } } },
  });
  it.each([
    ['a ref', doc({ x: { type: 'ref', ref: 'app.relay.other' } })],
    ['a union', doc({ x: { type: 'union', refs: [] } })],
    ['a string format it cannot check', doc({ x: { type: 'string', format: 'at-uri' } })],
    ['an unknown constraint', doc({ x: { type: 'integer', enum: [1, 2] } })],
    ['nullable fields', doc({ x: { type: 'string' } }, { nullable: ['x'] })],
    ['a query instead of a record', { lexicon: 1, id: 'app.relay.q', defs: { main: { type: 'query' } } }],
    ['lexicon version 2', { ...doc({}), lexicon: 2 }],
  ])('%s → LEXICON_UNSUPPORTED', (_name, lexicon) => {
    expect(() => loadRecordLexicon(lexicon)).toThrow(expect.objectContaining({ code: 'LEXICON_UNSUPPORTED' }));
  });
});
