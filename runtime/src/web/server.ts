import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FaustgenError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export type PageMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface PageRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Aborted when the request times out or the client goes away. */
  readonly signal: AbortSignal;
}

export interface PageResponse {
  readonly status?: number;
  readonly body: unknown;
  /** `application/json` (default: the body is sent as JSON) or e.g. `text/plain` (the body is sent as it is). */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type PageHandler = (request: PageRequest) => PageResponse | Promise<PageResponse>;

export interface PageOptions {
  /** Methods the page answers; others get 405 (default GET and POST; HEAD follows GET). */
  readonly methods?: readonly PageMethod[];
}

export interface WebServerOptions {
  /** Largest request body accepted; bigger ones get 413 (default 1 MiB). */
  readonly bodyLimit: number;
  /** A page that has not answered within this time gets 503 (default 30 s). */
  readonly requestTimeoutMs: number;
}

/** Told of every answered request (the monitor counts them per route and status). */
export type RequestObserver = (method: string, route: string, status: number, ms: number) => void;

const ALL_METHODS: readonly PageMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const DEFAULT_METHODS: readonly PageMethod[] = ['GET', 'POST'];

interface Route {
  readonly path: string;
  readonly handler: PageHandler;
  readonly methods: ReadonlySet<string>;
}

/**
 * The worker's web server (fastify): user pages (`/path/:param`) and the built-in operations pages.
 * Malformed URLs get 400, unknown paths 404, undeclared methods 405, oversized bodies 413, slow pages
 * 503, throwing pages 500; none of them reaches the worker.
 */
export class WebServer {
  private readonly routes: Route[] = [];
  private server: FastifyInstance | undefined;
  private observer: RequestObserver | undefined;

  constructor(private readonly log: Logger) {}

  get port(): number {
    const address = this.server?.server.address();
    return address !== null && typeof address === 'object' ? (address as AddressInfo).port : 0;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  observe(observer: RequestObserver): void {
    this.observer = observer;
  }

  route(path: string, handler: PageHandler, options: PageOptions = {}): void {
    const normalized = '/' + path.replace(/^\/+/, '').replace(/\/+$/, '');
    const methods = new Set<string>(options.methods ?? DEFAULT_METHODS);
    for (const method of methods) {
      if (!ALL_METHODS.includes(method as PageMethod)) {
        throw new FaustgenError('FG_SETTING_INVALID', `page "${path}": unknown method "${method}" (known: ${ALL_METHODS.join(', ')})`, { details: { page: path, method } });
      }
    }
    if (methods.has('GET')) methods.add('HEAD');
    if (this.routes.some((r) => r.path === normalized)) {
      throw new FaustgenError('FG_DUPLICATE_NAME', `two pages are declared at "${normalized}"`, { details: { page: normalized } });
    }
    this.routes.push({ path: normalized, handler, methods });
  }

  async listen(host: string, port: number, options: WebServerOptions): Promise<void> {
    const server = Fastify({
      logger: false,
      bodyLimit: options.bodyLimit,
      handlerTimeout: options.requestTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // A worker stopping closes idle keep-alive sockets rather than waiting for clients.
      forceCloseConnections: 'idle',
      routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1000 },
      return503OnClosing: true,
    });
    // Any body is accepted up to the limit: JSON when it parses, text otherwise.
    server.removeAllContentTypeParsers();
    server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text) as unknown);
      } catch {
        done(null, text);
      }
    });
    server.setErrorHandler((error: FastifyError, request, reply) => this.answerError(error, request, reply));
    server.setNotFoundHandler((request, reply) => {
      void reply.code(404).send({ error: `no page at ${pathOf(request.url)}` });
    });
    server.addHook('onResponse', (request, reply, done) => {
      this.observer?.(request.method, request.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime);
      done();
    });
    for (const route of this.routes) this.register(server, route);
    try {
      await server.listen({ host, port });
    } catch (error) {
      await server.close().catch(() => undefined);
      const code = (error as { code?: unknown }).code;
      const why = code === 'EADDRINUSE' ? `port ${port} on ${host} is in use (another worker?): give each worker its own --web-port, or --web-port 0 for any free port, or --without-web` : describeError(error);
      throw new FaustgenError('FG_SETTING_INVALID', `the web server cannot listen on ${host}:${port}: ${why}`, { kind: 'user', cause: error, details: { setting: 'webPort', value: port, host } });
    }
    this.server = server;
    this.log.info('web server listening', { url: `http://${host.includes(':') ? `[${host}]` : host}:${this.port}` });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await server.close();
  }

  private register(server: FastifyInstance, route: Route): void {
    server.route({
      method: [...ALL_METHODS],
      url: route.path,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        if (!route.methods.has(request.method)) {
          return reply.code(405).header('allow', [...route.methods].join(', ')).send({ error: `${request.method} is not allowed at ${route.path} (allowed: ${[...route.methods].join(', ')})` });
        }
        const url = new URL(request.url, 'http://localhost');
        const result = await route.handler({
          method: request.method,
          path: url.pathname,
          params: request.params as Record<string, string>,
          query: url.searchParams,
          body: request.body,
          headers: request.headers,
          signal: request.signal,
        });
        if (reply.sent) return reply;
        void reply.code(result.status ?? 200);
        for (const [name, value] of Object.entries(result.headers ?? {})) void reply.header(name, value);
        const contentType = result.contentType ?? 'application/json';
        if (contentType === 'application/json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body ?? null));
        return reply.type(contentType).send(result.body);
      },
    });
  }

  private answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500 && error.code !== 'FST_ERR_HANDLER_TIMEOUT') {
      this.log.error('page failed', { method: request.method, path: pathOf(request.url), error: describeError(error), ...(FaustgenError.is(error) ? { code: error.code } : {}) });
    } else {
      this.log.debug('request refused', { method: request.method, path: pathOf(request.url), status, error: error.message });
    }
    if (reply.sent) return;
    void reply.code(status).send({ error: status >= 500 && error.code === undefined ? describeError(error) : error.message });
  }
}

function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
