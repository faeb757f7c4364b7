/**
 * A stable 32-bit hash of a string (FNV-1a over UTF-16 code units): the same value on every machine, so
 * `--shard i/n` splits users identically everywhere.
 * @param text - the text
 */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A 64-bit fingerprint of a string as 16 hex digits (two independent 32-bit FNV-1a hashes), for
 * de-duplicating without keeping the string.
 * @param text - the text
 */
export function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
