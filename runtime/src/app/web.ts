import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface PageRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface PageResponse {
  readonly status?: number;
  readonly body: unknown;
}

export type PageHandler = (request: PageRequest) => PageResponse | Promise<PageResponse>;

interface Route {
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: PageHandler;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A small JSON web server for the app's pages (`/path/:param`). */
export class WebServer {
  private readonly routes: Route[] = [];
  private server: Server | undefined;

  constructor(private readonly log: Logger) {}

  get port(): number {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? (address as AddressInfo).port : 0;
  }

  route(path: string, handler: PageHandler): void {
    const names: string[] = [];
    const pattern = new RegExp(
      '^' + path.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      }) + '/?$',
    );
    this.routes.push({ pattern, names, handler });
  }

  async listen(host: string, port: number): Promise<void> {
    this.server = createServer((request, response) => {
      void this.handle(request).then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, host, () => resolve());
    });
    this.log.info('web server listening', { url: `http://${host}:${this.port}` });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    for (const route of this.routes) {
      const match = route.pattern.exec(url.pathname);
      if (match === null) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? '')));
      try {
        const result = await route.handler({ method: request.method ?? 'GET', path: url.pathname, params, query: url.searchParams, body: await readBody(request) });
        return { status: result.status ?? 200, body: result.body };
      } catch (error) {
        this.log.error('page failed', { path: url.pathname, error: describeError(error) });
        return { status: 500, body: { error: describeError(error) } };
      }
    }
    return { status: 404, body: { error: `no page at ${url.pathname}` } };
  }
}
