import { describe, expect, it } from 'vitest';
import { detectAudioFormat, wavDurationSeconds } from '../src/audio-format.js';
import { generateWav } from './support/wav.js';

const bytes = (...parts: Array<string | number[]>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('audio is recognised by its bytes, not by its name or declared type', () => {
  it.each([
    ['WAV', generateWav({ seconds: 1 }), 'audio/wav'],
    ['FLAC', bytes('fLaC', [0, 0, 0, 34]), 'audio/flac'],
    ['Ogg', bytes('OggS', [0, 2]), 'audio/ogg'],
    ['MP3 with ID3', bytes('ID3', [4, 0, 0]), 'audio/mpeg'],
    ['MP3 frame sync', bytes([0xff, 0xfb, 0x90, 0x64]), 'audio/mpeg'],
    ['M4A', bytes([0, 0, 0, 0x20], 'ftypM4A '), 'audio/mp4'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]), 'audio/webm'],
  ])('%s → %s', (_name, data, mime) => {
    expect(detectAudioFormat(data)?.mimeType).toBe(mime);
  });

  it.each([
    ['text', bytes('hello, this is not music')],
    ['HTML', bytes('<!doctype html><script>alert(1)</script>')],
    ['PNG', bytes([0x89], 'PNG\r\n', [0x1a, 0x0a])],
    ['a RIFF that is not WAVE (AVI)', bytes('RIFF', [0, 0, 0, 0], 'AVI ')],
    ['a reserved MPEG layer', bytes([0xff, 0xe0, 0, 0])],
    ['empty', new Uint8Array()],
  ])('%s is not audio', (_name, data) => {
    expect(detectAudioFormat(data)).toBeUndefined();
  });
});

describe('WAV duration from the header', () => {
  it.each([1, 2, 7, 61])('%i s of 8 kHz mono', (seconds) => {
    expect(wavDurationSeconds(generateWav({ seconds }))).toBe(seconds);
  });
  it('never says 0: a 0.2 s clip is 1 s', () => {
    expect(wavDurationSeconds(generateWav({ seconds: 0.2 }))).toBe(1);
  });
  it('is undefined for a truncated header or another format', () => {
    expect(wavDurationSeconds(generateWav().subarray(0, 30))).toBeUndefined();
    expect(wavDurationSeconds(bytes('OggS'))).toBeUndefined();
  });
});
