import { AsyncLocalStorage } from 'node:async_hooks';
import { FaustgenError } from '../core/errors.js';
import type { Event } from './event.js';

/** Per-actor context: which event the actor is processing now. One holder per actor keeps concurrency safe. */
export interface ActorContext {
  current: Event<unknown, unknown> | undefined;
  readonly agent: string;
  /** Told when the actor takes an event and when it is done with it (the sensors). */
  readonly meter?: EventMeter | undefined;
  /** performance.now() when the actor took its current event (with a meter). */
  startedAt?: number;
  /** Opens and closes a span per event (only when an OpenTelemetry SDK is installed). */
  readonly tracing?: EventSpans | undefined;
}

/** A span per event an actor processes (see sensors/tracing.ts). */
export interface EventSpans {
  eventIn(context: ActorContext, event: Event<unknown, unknown>): void;
  eventOut(context: ActorContext): void;
}

/** Times each event an actor processes: from taking it to asking for the next one. */
export interface EventMeter {
  onStreamEventIn(agent: string): void;
  onStreamEventOut(agent: string, ms: number): void;
}

/**
 * Makes an actor's context reachable from code that has no stream at hand (tables, currentEvent()).
 * On Node 20 AsyncLocalStorage works through promise hooks that tax every promise in the process
 * (measured: a stateless pipeline on Kafka runs ~25% slower with them on), so actors enter it only
 * when the app asks for it: when it has tables, or with `eventContext: 'always'`.
 */
export const actorStorage = new AsyncLocalStorage<ActorContext>();

/** Actors running without the storage; currentEvent() cannot answer while any exist. */
let untrackedActors = 0;

/** Runs `body` as the actor's work, inside the storage when `tracked`. */
export async function runActorBody<T>(context: ActorContext, tracked: boolean, body: () => Promise<T>): Promise<T> {
  if (tracked) return actorStorage.run(context, body);
  untrackedActors++;
  try {
    return await body();
  } finally {
    untrackedActors--;
  }
}

/** The event of the tracked actor calling, if any (tables: their app always tracks). */
export function trackedEvent(): Event<unknown, unknown> | undefined {
  return actorStorage.getStore()?.current;
}

/**
 * The event the calling agent actor is processing, or undefined outside stream processing. In an
 * app that does not track the context (no tables and `eventContext` not 'always') a call from
 * outside a tracked actor cannot be answered, and says so rather than guess.
 */
export function currentEvent(): Event<unknown, unknown> | undefined {
  const context = actorStorage.getStore();
  if (context !== undefined) return context.current;
  if (untrackedActors > 0) {
    throw new FaustgenError('FG_STREAM_STATE', "currentEvent() needs the event context, which this app does not track (it has no tables): set eventContext: 'always' in the app settings, or iterate stream.events() to get each event", {
      details: { setting: 'eventContext' },
    });
  }
  return undefined;
}
