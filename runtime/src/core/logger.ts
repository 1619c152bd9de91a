/**
 * Structured logs: every line has a level, a message and fields. `pretty` prints
 * `12:00:01.123 INFO  [agent print] message key=value` for people, `json` one object a line for
 * collectors. Logs go to stderr so that stdout stays free for what a user's handler prints.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;
export type LogFormat = 'pretty' | 'json';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(scope: string, fields?: LogFields): Logger;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  readonly sink?: LogSink;
}

const stderrSink: LogSink = { write: (line) => process.stderr.write(line + '\n') };

export function isLogLevel(value: string): value is LogLevel {
  return value in rank;
}

function renderValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  return JSON.stringify(value) ?? String(value);
}

function jsonSafe(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) {
      const code: unknown = (value as Error & { code?: unknown }).code;
      out[key] = typeof code === 'string' ? { message: value.message, code } : { message: value.message };
    } else if (Buffer.isBuffer(value)) out[key] = value.toString('base64');
    else out[key] = value;
  }
  return out;
}

class StructuredLogger implements Logger {
  constructor(
    readonly level: LogLevel,
    private readonly format: LogFormat,
    private readonly sink: LogSink,
    private readonly scope: string,
    private readonly bound: LogFields,
  ) {}

  enabled(level: LogLevel): boolean {
    return rank[level] >= rank[this.level];
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  child(scope: string, fields: LogFields = {}): Logger {
    const joined = this.scope === '' ? scope : `${this.scope} ${scope}`;
    return new StructuredLogger(this.level, this.format, this.sink, joined, { ...this.bound, ...fields });
  }

  private log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    const all = { ...this.bound, ...fields };
    const now = new Date();
    if (this.format === 'json') {
      this.sink.write(JSON.stringify({ time: now.toISOString(), level, scope: this.scope, msg: message, ...jsonSafe(all) }));
      return;
    }
    // A `stack` field (see core/error-stack.ts) goes under the line, one indented frame a line.
    const stack = typeof all['stack'] === 'string' ? all['stack'] : undefined;
    const pairs = Object.entries(all)
      .filter(([key, value]) => value !== undefined && !(key === 'stack' && stack !== undefined))
      .map(([key, value]) => `${key}=${renderValue(value)}`)
      .join(' ');
    const scope = this.scope === '' ? '' : `[${this.scope}] `;
    const time = now.toISOString().slice(11, 23);
    const frames = stack === undefined ? '' : stack.split('\n').map((frame) => `\n    ${frame}`).join('');
    this.sink.write(`${time} ${level.toUpperCase().padEnd(5)} ${scope}${message}${pairs === '' ? '' : ' ' + pairs}${frames}`);
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new StructuredLogger(options.level ?? 'info', options.format ?? 'pretty', options.sink ?? stderrSink, '', {});
}

/** A sink that keeps lines in memory, for tests that assert what was logged. */
export class MemoryLogSink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}
