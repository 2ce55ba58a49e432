/**
 * Splits a spoken text into sentences, so a long answer is synthesized one
 * sentence at a time while the first one already streams (a synthesizer reads
 * each sentence as its own utterance anyway). A sentence longer than
 * MAX_PIECE_CHARS is cut at a clause (comma, semicolon, colon) or else a word
 * boundary, which bounds how long the first audio of any answer waits.
 * Pieces keep their leading whitespace: `splitSentences(t).join("") === t`.
 */
export const MAX_PIECE_CHARS = 160;
const ABBREVIATIONS = new Set(["mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "no", "jr", "sr", "inc", "ltd", "co"]);

export function splitSentences(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const match of text.matchAll(/[.!?]+(?=\s+\S)/g)) {
    const end = (match.index ?? 0) + match[0].length;
    const before = text.slice(start, match.index ?? 0);
    const lastWord = (before.match(/(\S+)$/)?.[1] ?? "").toLowerCase();
    const next = text.slice(end).trimStart()[0] ?? "";
    // A sentence ends before a capital or a digit, not after an abbreviation ("Mr. Smith").
    if (ABBREVIATIONS.has(lastWord) || !/[\p{Lu}\p{N}"'“(]/u.test(next)) continue;
    pieces.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length || pieces.length === 0) pieces.push(text.slice(start));
  return pieces.flatMap((piece) => splitLong(piece));
}

/** Cuts a piece into parts of at most MAX_PIECE_CHARS: after the last clause mark in range, else before the last space. */
function splitLong(piece: string): string[] {
  const parts: string[] = [];
  let rest = piece;
  while (rest.length > MAX_PIECE_CHARS) {
    const window = rest.slice(0, MAX_PIECE_CHARS);
    let cut = Math.max(window.lastIndexOf(", "), window.lastIndexOf("; "), window.lastIndexOf(": ")) + 1;
    if (cut < MAX_PIECE_CHARS / 3) cut = window.lastIndexOf(" ");
    if (cut <= 0) cut = MAX_PIECE_CHARS; // one enormous word
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}
