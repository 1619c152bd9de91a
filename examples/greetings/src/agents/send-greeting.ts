// faustgen:stub timer send-greeting
// This file is yours: faustgen wrote it once and never touches it again.
import type { SendGreetingHandler } from '../generated/handlers.js';
import { Greeting } from '../generated/models.js';

const names = ['Faust', 'Gretchen', 'Mephisto', 'Wagner'] as const;
let sent = 0;

/** Sends one greeting per tick, each sender greeting the next name in the list, keyed by sender. */
export const sendGreeting: SendGreetingHandler = async (ctx) => {
  const from = names[sent % names.length] ?? 'Faust';
  const to = names[(sent + 1) % names.length] ?? 'Gretchen';
  sent += 1;
  await ctx.topics.greetings.send({ key: from, value: new Greeting({ from_name: from, to_name: to }) });
};
