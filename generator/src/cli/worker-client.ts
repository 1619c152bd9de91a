import { Flags } from '@oclif/core';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import type { Project } from './project.js';

/** `--worker`: the web address of a running worker. */
export const workerFlag = Flags.string({
  char: 'w',
  summary: 'Web address of a running worker (default: http://<webHost>:<webPort> from faustgen.yaml, else http://127.0.0.1:6066).',
  env: 'FAUSTGEN_WORKER_URL',
  helpValue: 'http://127.0.0.1:6066',
});

/** The worker URL from the flag, else from the topology's web settings, else Faust's default port. */
export function workerUrl(flag: string | undefined, project: Project | undefined): string {
  if (flag !== undefined) {
    let url: URL;
    try {
      url = new URL(flag);
    } catch {
      throw new FaustgenError('FG_SETTING_INVALID', `--worker is not a URL: ${JSON.stringify(flag)} (expected e.g. http://127.0.0.1:6066)`, { kind: 'user', details: { setting: 'worker', value: flag } });
    }
    return url.href.replace(/\/+$/, '');
  }
  const settings = project?.topology.settings;
  const host = settings?.webHost === undefined || settings.webHost === '0.0.0.0' ? '127.0.0.1' : settings.webHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${settings?.webPort ?? 6066}`;
}

/** Calls a worker's web page; a worker that does not answer is a user error saying how to start one. */
export async function callWorker(base: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const inner = (error as { cause?: { code?: string; message?: string } }).cause;
    const cause = inner?.code ?? inner?.message ?? (error as Error).message;
    throw new FaustgenError('FG_TRANSPORT', `no worker answers at ${base} (${cause}): start one with \`faustgen worker\`, or pass --worker with its web address`, { kind: 'user', cause: error, details: { url: base } });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

/** The `error` field of a worker's JSON answer, or the answer itself. */
export function workerError(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) return String((body as { error: unknown }).error);
  return typeof body === 'string' ? body : JSON.stringify(body);
}
