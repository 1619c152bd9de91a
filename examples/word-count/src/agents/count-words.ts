// faustgen:stub agent count-words
// This file is yours: faustgen wrote it once and never touches it again.
import type { CountWordsHandler } from '../generated/handlers.js';

/** Counts each word in the word-counts table; the stream is keyed by word, like the table. */
export const countWords: CountWordsHandler = async (stream, ctx) => {
  for await (const event of stream.events()) {
    const word = event.key ?? event.value;
    ctx.tables.wordCounts.update(word, (count) => count + 1);
  }
};
