/**
 * Splits assistant text into whitespace-separated tokens for the synthesizer,
 * remembering where each token's word sits in the original text (transcript
 * pacing and word timestamps cut the original text, not the synthesizer's).
 */
export interface Token {
  /** The token as flite reads it ("&" spelled out, markup characters dropped). */
  readonly flite: string;
  /** The word it carries: from its first to its last letter/digit ("" for punctuation only). */
  readonly word: string;
  /** Character range of `word` in the original text. */
  readonly wordStart: number;
  readonly wordEnd: number;
}

const WORDISH = /[\p{L}\p{N}&]/u;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const raw = match[0];
    const start = match.index ?? 0;
    let first = 0;
    while (first < raw.length && !WORDISH.test(raw[first])) first += 1;
    let last = raw.length - 1;
    while (last >= first && !WORDISH.test(raw[last])) last -= 1;
    const word = first <= last ? raw.slice(first, last + 1) : "";
    // SSML is parsed by flite for the alignment run: no markup characters; "&" read as "and".
    const flite = raw.replace(/&/g, " and ").replace(/[<>]/g, " ").trim();
    tokens.push({ flite: flite === "" ? "," : flite, word: flite === "" ? "" : word, wordStart: start + first, wordEnd: start + last + 1 });
  }
  return tokens;
}
