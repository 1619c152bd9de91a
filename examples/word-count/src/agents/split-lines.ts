// faustgen:stub agent split-lines
// This file is yours: faustgen wrote it once and never touches it again.
import type { SplitLinesHandler } from '../generated/handlers.js';

/** Lower-case words: letters and digits, with inner apostrophes and hyphens ("don't", "well-known"). */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []).map((word) => word.replace('’', "'"));
}

/** Sends every word of every line to the words topic, keyed by the word so that each word has one partition. */
export const splitLines: SplitLinesHandler = async (stream, ctx) => {
  for await (const line of stream) {
    for (const word of wordsOf(line.text)) await ctx.topics.words.send({ key: word, value: word });
  }
};
