import { FaustgenError, describeError } from '../core/errors.js';
import { LruCache } from '../stores/lru-cache.js';

/** `AVRO` (the registry's default), `JSON` (JSON Schema) or `PROTOBUF`. */
export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface RegisteredSchema {
  readonly id: number;
  readonly schemaType: SchemaType;
  /** The schema text as the registry stores it. */
  readonly schema: string;
}

export interface SubjectVersion extends RegisteredSchema {
  readonly subject: string;
  readonly version: number;
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  /** The registry's reasons when incompatible (with `?verbose=true`), e.g. naming the field. */
  readonly messages: readonly string[];
}

/** Credentials come only from the environment, never from faustgen.yaml or settings. */
export type RegistryAuth = { readonly kind: 'basic'; readonly username: string; readonly password: string } | { readonly kind: 'bearer'; readonly token: string };

export interface SchemaRegistryOptions {
  /** Base URL of the Confluent-compatible API, e.g. `http://registry:8081` or `.../apis/ccompat/v7`. */
  readonly url: string;
  readonly auth?: RegistryAuth;
  /** Writer schemas kept by id (default 1000). */
  readonly cacheSize?: number;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
  /** Attempts for a connection failure or a 5xx before FG_SCHEMA_REGISTRY_UNREACHABLE (default 3). */
  readonly attempts?: number;
}

/**
 * `FAUSTGEN_SCHEMA_REGISTRY_USERNAME` + `FAUSTGEN_SCHEMA_REGISTRY_PASSWORD` (basic) or
 * `FAUSTGEN_SCHEMA_REGISTRY_TOKEN` (bearer); undefined when none is set.
 */
export function registryAuthFromEnv(env: Readonly<Record<string, string | undefined>>): RegistryAuth | undefined {
  const token = env['FAUSTGEN_SCHEMA_REGISTRY_TOKEN'];
  if (token !== undefined && token !== '') return { kind: 'bearer', token };
  const username = env['FAUSTGEN_SCHEMA_REGISTRY_USERNAME'];
  if (username === undefined || username === '') return undefined;
  return { kind: 'basic', username, password: env['FAUSTGEN_SCHEMA_REGISTRY_PASSWORD'] ?? '' };
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface HttpFailure {
  readonly status: number;
  readonly errorCode: number | undefined;
  readonly message: string;
}

/** Thrown inside the client for a non-2xx answer; turned into a coded error by the caller that knows what a 404 means. */
class RegistryHttpError extends Error {
  constructor(readonly failure: HttpFailure) {
    super(failure.message);
  }
}

/**
 * A client of the Confluent-compatible Schema Registry REST API (Confluent, Apicurio's ccompat,
 * Karapace). Writer schemas are cached by id in a bounded LRU; concurrent requests for one id share
 * one HTTP request (single flight). Ids of the app's own schemas are cached per subject and schema.
 * Failures are never cached: the next record asks again.
 */
export class SchemaRegistryClient {
  readonly url: string;
  private readonly byId: LruCache<number, RegisteredSchema>;
  private readonly inFlight = new Map<number, Promise<RegisteredSchema>>();
  private readonly ids = new Map<string, Promise<number>>();
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  /** HTTP requests made (for tests and metrics). */
  requests = 0;

  constructor(options: SchemaRegistryOptions) {
    this.url = options.url.replace(/\/+$/, '');
    if (!/^https?:\/\//.test(this.url)) {
      throw new FaustgenError('FG_SETTING_INVALID', `setting "schemaRegistryUrl" must be an http(s) URL, got ${JSON.stringify(options.url)}`, { details: { setting: 'schemaRegistryUrl' } });
    }
    this.byId = new LruCache(options.cacheSize ?? 1000);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = options.attempts ?? 3;
    this.headers = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
    const auth = options.auth;
    if (auth?.kind === 'basic') this.headers['authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    if (auth?.kind === 'bearer') this.headers['authorization'] = `Bearer ${auth.token}`;
  }

  /** The cached schema of `id`, without a request; undefined when not cached. */
  cached(id: number): RegisteredSchema | undefined {
    return this.byId.get(id);
  }

  /** The schema with `id`; one request per id however many callers wait for it. */
  schemaById(id: number): Promise<RegisteredSchema> {
    const cached = this.byId.get(id);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.inFlight.get(id);
    if (pending === undefined) {
      pending = this.fetchSchema(id).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  /**
   * The id of `schema` under `subject`: looked up, or registered when `register` is true. Cached
   * for the life of the client; a failure is not cached.
   */
  idFor(subject: string, schema: string, schemaType: SchemaType, register: boolean): Promise<number> {
    const key = `${register ? 'r' : 'l'}\u0000${subject}\u0000${schemaType}\u0000${schema}`;
    let pending = this.ids.get(key);
    if (pending === undefined) {
      pending = (register ? this.register(subject, schema, schemaType) : this.lookup(subject, schema, schemaType)).then((registered) => {
        this.byId.set(registered.id, registered);
        return registered.id;
      });
      pending.catch(() => this.ids.delete(key));
      this.ids.set(key, pending);
    }
    return pending;
  }

  async register(subject: string, schema: string, schemaType: SchemaType): Promise<RegisteredSchema> {
    const body = schemaType === 'AVRO' ? { schema } : { schema, schemaType };
    try {
      const answer = await this.request<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, body);
      return { id: answer.id, schema, schemaType };
    } catch (error) {
      if (error instanceof RegistryHttpError && error.failure.status === 409) {
        throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `schema registry refused to register a schema under subject "${subject}": ${error.failure.message}`, { kind: 'user', details: { subject } });
      }
      throw this.coded(error, { subject });
    }
  }

  async lookup(subject: string, schema: string, schemaType: SchemaType): Promise<SubjectVersion> {
    const body = schemaType === 'AVRO' ? { schema } : { schema, schemaType };
    try {
      const answer = await this.request<{ id: number; version: number; subject: string }>('POST', `/subjects/${encodeURIComponent(subject)}`, body);
      return { id: answer.id, version: answer.version, subject, schema, schemaType };
    } catch (error) {
      if (error instanceof RegistryHttpError && error.failure.status === 404) {
        throw new FaustgenError('FG_SCHEMA_NOT_REGISTERED', `schema is not registered under subject "${subject}" (${error.failure.message}); register it (faustgen schemas push) or set schemaRegistry.autoRegister`, { details: { subject } });
      }
      throw this.coded(error, { subject });
    }
  }

  async subjects(): Promise<string[]> {
    try {
      return await this.request<string[]>('GET', '/subjects');
    } catch (error) {
      throw this.coded(error, {});
    }
  }

  /** `version` is a number or `latest`. */
  async subjectVersion(subject: string, version: number | 'latest' = 'latest'): Promise<SubjectVersion> {
    try {
      const answer = await this.request<{ id: number; version: number; schema: string; schemaType?: SchemaType }>('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`);
      return { id: answer.id, version: answer.version, subject, schema: answer.schema, schemaType: answer.schemaType ?? 'AVRO' };
    } catch (error) {
      if (error instanceof RegistryHttpError && error.failure.status === 404) {
        throw new FaustgenError('FG_SCHEMA_NOT_REGISTERED', `subject "${subject}" has no version ${version} in the schema registry (${error.failure.message})`, { details: { subject, version } });
      }
      throw this.coded(error, { subject });
    }
  }

  /** Asks the registry whether `schema` is compatible with the subject's latest version under the subject's rule. */
  async checkCompatibility(subject: string, schema: string, schemaType: SchemaType): Promise<CompatibilityResult> {
    const body = schemaType === 'AVRO' ? { schema } : { schema, schemaType };
    try {
      const answer = await this.request<{ is_compatible: boolean; messages?: unknown }>('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest?verbose=true`, body);
      const messages = Array.isArray(answer.messages) ? answer.messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))) : [];
      return { compatible: answer.is_compatible, messages };
    } catch (error) {
      if (error instanceof RegistryHttpError && error.failure.status === 404) return { compatible: true, messages: [`subject "${subject}" has no version yet`] };
      if (error instanceof RegistryHttpError && (error.failure.status === 409 || error.failure.status === 422)) return { compatible: false, messages: [error.failure.message] };
      throw this.coded(error, { subject });
    }
  }

  /** Sets the compatibility rule of a subject, or the global one when `subject` is undefined. */
  async setCompatibility(level: string, subject?: string): Promise<void> {
    try {
      await this.request('PUT', subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`, { compatibility: level });
    } catch (error) {
      throw this.coded(error, subject === undefined ? {} : { subject });
    }
  }

  private async fetchSchema(id: number): Promise<RegisteredSchema> {
    try {
      const answer = await this.request<{ schema: string; schemaType?: SchemaType; references?: unknown[] }>('GET', `/schemas/ids/${id}`);
      const registered: RegisteredSchema = { id, schema: answer.schema, schemaType: answer.schemaType ?? 'AVRO' };
      this.byId.set(id, registered);
      return registered;
    } catch (error) {
      if (error instanceof RegistryHttpError && error.failure.status === 404) {
        throw new FaustgenError('FG_SCHEMA_UNKNOWN_ID', `schema id ${id} is not known to the schema registry at ${this.url} (${error.failure.message})`, { details: { schemaId: id } });
      }
      throw this.coded(error, { schemaId: id }, ` (fetching schema id ${id})`);
    }
  }

  private coded(error: unknown, details: Record<string, unknown>, doing = ''): FaustgenError {
    if (FaustgenError.is(error)) return error;
    if (error instanceof RegistryHttpError) {
      return new FaustgenError('FG_SCHEMA_REGISTRY', `schema registry at ${this.url} answered HTTP ${error.failure.status}${doing}${error.failure.errorCode === undefined ? '' : ` (error ${error.failure.errorCode})`}: ${error.failure.message}`, {
        retriable: error.failure.status >= 500,
        details: { ...details, status: error.failure.status, url: this.url },
      });
    }
    return new FaustgenError('FG_SCHEMA_REGISTRY_UNREACHABLE', `schema registry at ${this.url} is unreachable${doing}: ${describeError(error)}`, { retriable: true, cause: error, details: { ...details, url: this.url } });
  }

  /** One JSON request; connection failures and 5xx are retried (attempts, short backoff). */
  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await new Promise((done) => setTimeout(done, 100 * 2 ** (attempt - 2)));
      this.requests++;
      let response: Response;
      try {
        response = await fetch(`${this.url}${path}`, {
          method,
          headers: this.headers,
          signal: AbortSignal.timeout(this.timeoutMs),
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        lastError = error;
        continue;
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (response.ok) return parsed as T;
      const object = typeof parsed === 'object' && parsed !== null ? (parsed as { error_code?: unknown; message?: unknown }) : {};
      const failure: HttpFailure = {
        status: response.status,
        errorCode: typeof object.error_code === 'number' ? object.error_code : undefined,
        message: typeof object.message === 'string' ? object.message : text.slice(0, 500),
      };
      lastError = new RegistryHttpError(failure);
      if (response.status < 500) break;
    }
    throw lastError;
  }
}
