// faustgen:stub agent print-greetings
// This file is yours: faustgen wrote it once and never touches it again.
import type { PrintGreetingsHandler } from '../generated/handlers.js';

/** Prints every greeting, as Faust's hello-world does, and counts the greetings of each sender. */
export const printGreetings: PrintGreetingsHandler = async (stream, ctx) => {
  for await (const greeting of stream) {
    const sent = ctx.tables.greetingsSent.update(greeting.from_name, (count) => count + 1);
    console.log(`Hello from ${greeting.from_name} to ${greeting.to_name} (${greeting.from_name} has sent ${sent})`);
  }
};
