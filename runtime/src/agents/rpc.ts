import { randomUUID } from 'node:crypto';
import { FaustgenError } from '../core/errors.js';
import type { Headers } from '../types/transport.js';

/** Faust's request/reply headers (faust.md §2.5), so Faust and faustgen agents can ask each other. */
export const REPLY_TO_HEADER = 'Faust-Ag-ReplyTo';
export const CORRELATION_HEADER = 'Faust-Ag-CorrelationId';
export const REPLY_NAMESPACE = '@ReqRepResponse';

export interface ReplyAddress {
  readonly replyTo: string;
  readonly correlationId: string;
}

export function replyAddressOf(headers: Headers): ReplyAddress | undefined {
  const replyTo = headers[REPLY_TO_HEADER];
  const correlation = headers[CORRELATION_HEADER];
  if (replyTo === undefined || correlation === undefined) return undefined;
  return { replyTo: replyTo.toString('utf8'), correlationId: correlation.toString('utf8') };
}

export function encodeReply(key: unknown, value: unknown, correlationId: string): Buffer {
  return Buffer.from(JSON.stringify({ key: key ?? null, value, correlation_id: correlationId, __faust: { ns: REPLY_NAMESPACE } }));
}

interface Waiter {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** Matches replies read from this process's reply topic to the ask() calls waiting for them. */
export class ReplyRegistry {
  private readonly waiters = new Map<string, Waiter>();

  newCorrelationId(): string {
    return randomUUID();
  }

  wait(correlationId: string, timeoutMs: number, describe: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(correlationId);
        reject(new FaustgenError('FG_ASK_TIMEOUT', `${describe}: no reply within ${timeoutMs} ms (correlation id ${correlationId}); is a worker running the agent, and does the agent yield?`, {
          details: { correlationId, timeoutMs },
        }));
      }, timeoutMs);
      this.waiters.set(correlationId, { resolve, reject, timer });
    });
  }

  /** Handles one record of the reply topic; unknown correlation ids (another process's, or late) are ignored. */
  deliver(bytes: Buffer | null): void {
    if (bytes === null) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const reply = parsed as { correlation_id?: unknown; value?: unknown };
    if (typeof reply.correlation_id !== 'string') return;
    const waiter = this.waiters.get(reply.correlation_id);
    if (waiter === undefined) return;
    this.waiters.delete(reply.correlation_id);
    clearTimeout(waiter.timer);
    waiter.resolve(reply.value);
  }

  cancelAll(reason: Error): void {
    for (const [id, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
      this.waiters.delete(id);
    }
  }
}
