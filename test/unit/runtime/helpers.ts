import { randomUUID } from 'node:crypto';
import { createApp, type App, type AppOptions } from '../../../runtime/src/app/app.js';
import type { AppSettingsInput } from '../../../runtime/src/app/settings.js';
import { MemoryLogSink } from '../../../runtime/src/core/logger.js';
import { getMemoryBroker, memoryBrokerName } from '../../../runtime/src/transport/memory/registry.js';

/** A fresh embedded broker URL per test so tests never see each other's topics. */
export function brokerUrl(): string {
  return `memory://unit-${randomUUID()}`;
}

export function testApp(settings: Partial<AppSettingsInput> & { id?: string }, options: AppOptions = {}): { app: App; logs: MemoryLogSink } {
  const logs = new MemoryLogSink();
  const app = createApp({ id: settings.id ?? `app-${randomUUID().slice(0, 8)}`, broker: brokerUrl(), commitIntervalMs: 20, logLevel: 'info', ...settings }, { logSink: logs, ...options });
  return { app, logs };
}

export function brokerOf(app: App): ReturnType<typeof getMemoryBroker> {
  return getMemoryBroker(memoryBrokerName(app.settings.broker.url));
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
