/** An audio container recognised from its first bytes. */
export interface AudioFormat {
  /** The MIME type the blob is uploaded with. */
  readonly mimeType: string;
  readonly label: string;
}

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length && [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/**
 * The audio format of a file, judged by its magic bytes — never by the browser-supplied
 * `Content-Type` or the file name, which the uploader controls. Undefined when it is not one of
 * WAV, MP3, Ogg, FLAC, MP4/M4A or WebM. (A sniffing library would be a dependency for six checks.)
 */
export function detectAudioFormat(bytes: Uint8Array): AudioFormat | undefined {
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return { mimeType: 'audio/wav', label: 'WAV' };
  if (ascii(bytes, 0, 'fLaC')) return { mimeType: 'audio/flac', label: 'FLAC' };
  if (ascii(bytes, 0, 'OggS')) return { mimeType: 'audio/ogg', label: 'Ogg' };
  if (ascii(bytes, 0, 'ID3')) return { mimeType: 'audio/mpeg', label: 'MP3' };
  // An MPEG audio frame header: 11 sync bits, then a layer other than "reserved".
  if (
    bytes.length >= 2 &&
    bytes[0] === 0xff &&
    ((bytes[1] as number) & 0xe0) === 0xe0 &&
    ((bytes[1] as number) & 0x06) !== 0
  ) {
    return { mimeType: 'audio/mpeg', label: 'MP3' };
  }
  if (ascii(bytes, 4, 'ftyp')) return { mimeType: 'audio/mp4', label: 'MP4 audio' };
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    return { mimeType: 'audio/webm', label: 'WebM' };
  }
  return undefined;
}

/**
 * The length in whole seconds (rounded, at least 1) of a PCM WAV file, read from its `fmt ` and
 * `data` chunks; undefined when the header is not a readable WAV header.
 */
export function wavDurationSeconds(bytes: Uint8Array): number | undefined {
  if (!(ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE'))) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let byteRate: number | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const size = view.getUint32(offset + 4, true);
    if (ascii(bytes, offset, 'fmt ') && offset + 20 <= bytes.length) byteRate = view.getUint32(offset + 16, true);
    if (ascii(bytes, offset, 'data')) {
      if (!byteRate) return undefined;
      const dataBytes = Math.min(size, bytes.length - offset - 8);
      return Math.max(1, Math.round(dataBytes / byteRate));
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
}
