/**
 * Splits a spoken text into sentences, so a long answer is synthesized one
 * sentence at a time while the first one already streams (a synthesizer reads
 * each sentence as its own utterance anyway). Pieces keep their leading
 * whitespace: `splitSentences(t).join("") === t`.
 */
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
  return pieces;
}
