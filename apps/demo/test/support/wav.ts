/**
 * A valid PCM WAV file (RIFF/WAVE, `fmt ` + `data` chunks, 8-bit unsigned mono): a sine tone of
 * `seconds` at `hz`. 8 kHz keeps it small: 8 000 bytes a second plus the 44-byte header.
 */
export function generateWav({ seconds = 2, hz = 440, sampleRate = 8000 } = {}): Uint8Array<ArrayBuffer> {
  const samples = Math.round(seconds * sampleRate);
  const buf = new Uint8Array(44 + samples);
  const view = new DataView(buf.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate, true); // byte rate = rate × channels × bytes per sample
  view.setUint16(32, 1, true); // block align
  view.setUint16(34, 8, true); // bits per sample
  text(36, 'data');
  view.setUint32(40, samples, true);
  for (let i = 0; i < samples; i++) buf[44 + i] = Math.round(128 + 100 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  return buf;
}
