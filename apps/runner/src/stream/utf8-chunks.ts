/**
 * Splits text into pieces of at most `maxBytes` UTF-8 bytes without cutting a character, and
 * says how many bytes each piece is: the API counts log offsets in UTF-8 bytes, so the runner
 * must count exactly as it does. Lone surrogates become U+FFFD (3 bytes) here, as they would on
 * the wire, so the counts stay true.
 */
export function splitUtf8(text: string, maxBytes: number): Array<{ text: string; bytes: number }> {
  if (maxBytes < 4) throw new RangeError("maxBytes must fit any UTF-8 character (4 bytes)");
  const buffer = Buffer.from(text, "utf8");
  const pieces: Array<{ text: string; bytes: number }> = [];
  let start = 0;
  while (start < buffer.length) {
    let end = Math.min(start + maxBytes, buffer.length);
    // Back off continuation bytes (10xxxxxx) so the piece ends on a character boundary.
    while (end < buffer.length && end > start && ((buffer[end] ?? 0) & 0xc0) === 0x80) end -= 1;
    pieces.push({ text: buffer.subarray(start, end).toString("utf8"), bytes: end - start });
    start = end;
  }
  return pieces;
}
