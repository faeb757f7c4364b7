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
