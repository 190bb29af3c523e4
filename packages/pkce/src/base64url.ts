// Internal: base64url without padding over bytes. btoa is in every runtime we target
// (browsers, Node >= 16, Deno, Bun, Workers), so no Buffer and no dependency.
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
