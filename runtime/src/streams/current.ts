import { AsyncLocalStorage } from 'node:async_hooks';
import type { Event } from './event.js';

/** Per-actor context: which event the actor is processing now. One holder per actor keeps concurrency safe. */
export interface ActorContext {
  current: Event<unknown, unknown> | undefined;
  readonly agent: string;
}

export const actorStorage = new AsyncLocalStorage<ActorContext>();

/** The event the calling agent actor is processing, or undefined outside stream processing. */
export function currentEvent(): Event<unknown, unknown> | undefined {
  return actorStorage.getStore()?.current;
}
