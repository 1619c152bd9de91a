import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { FaustgenError } from '../../core/errors.js';
import type { KafkaSaslOptions } from './config.js';

export type SecurityProtocol = 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl';
export type SaslMechanismName = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';

/**
 * How the worker reaches a secured Kafka (`security:` in faustgen.yaml). No secret lives here: the
 * SASL password, the OAuth bearer token and the client key's passphrase come from environment
 * variables only (FAUSTGEN_KAFKA_SASL_PASSWORD, FAUSTGEN_KAFKA_SASL_OAUTHBEARER_TOKEN,
 * FAUSTGEN_KAFKA_SSL_KEY_PASSWORD).
 */
export interface BrokerSecurityInput {
  readonly protocol?: SecurityProtocol;
  readonly ssl?: {
    /** PEM file of the CA(s) the brokers' certificates are checked against (default: the system's). */
    readonly ca?: string;
    /** PEM files of a client certificate and its key (mutual TLS). */
    readonly cert?: string;
    readonly key?: string;
    /** false skips checking the brokers' certificates: for tests only. */
    readonly rejectUnauthorized?: boolean;
  };
  readonly sasl?: {
    readonly mechanism: SaslMechanismName;
    readonly username?: string;
  };
}

/** The environment variables that override `security` field by field (secrets only come from here). */
export const securityEnv = {
  protocol: 'FAUSTGEN_KAFKA_SECURITY_PROTOCOL',
  mechanism: 'FAUSTGEN_KAFKA_SASL_MECHANISM',
  username: 'FAUSTGEN_KAFKA_SASL_USERNAME',
  password: 'FAUSTGEN_KAFKA_SASL_PASSWORD',
  token: 'FAUSTGEN_KAFKA_SASL_OAUTHBEARER_TOKEN',
  ca: 'FAUSTGEN_KAFKA_SSL_CA',
  cert: 'FAUSTGEN_KAFKA_SSL_CERT',
  key: 'FAUSTGEN_KAFKA_SSL_KEY',
  keyPassword: 'FAUSTGEN_KAFKA_SSL_KEY_PASSWORD',
} as const;

const protocols: readonly SecurityProtocol[] = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'];
const mechanisms: readonly SaslMechanismName[] = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'];

function invalid(setting: string, value: unknown, why: string): FaustgenError {
  return new FaustgenError('FG_SETTING_INVALID', `setting "${setting}" is invalid (${JSON.stringify(value)}): ${why}`, { kind: 'user', details: { setting, value } });
}

function readPem(setting: string, file: string, baseDir: string): string {
  const path = resolve(baseDir, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new FaustgenError('FG_SETTING_INVALID', `setting "${setting}" names ${path}, which cannot be read: ${(error as Error).message}`, { kind: 'user', cause: error, details: { setting, file: path } });
  }
}

/** What the Kafka driver gets: TLS options and SASL credentials, or nothing for plaintext. */
export interface ResolvedSecurity {
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: KafkaSaslOptions;
  /** For messages: protocol, mechanism and user, never a secret. */
  readonly summary: string;
}

/**
 * Merges `security` with the FAUSTGEN_KAFKA_* variables and checks it: a SASL protocol needs a
 * mechanism and its secret in the environment; files are read now so a wrong path fails at start.
 */
export function resolveBrokerSecurity(input: BrokerSecurityInput | undefined, env: NodeJS.ProcessEnv, baseDir = process.cwd()): ResolvedSecurity {
  const protocolText = env[securityEnv.protocol]?.toLowerCase() ?? input?.protocol ?? (input?.sasl !== undefined ? 'sasl_ssl' : input?.ssl !== undefined ? 'ssl' : 'plaintext');
  if (!protocols.includes(protocolText as SecurityProtocol)) throw invalid('security.protocol', protocolText, `must be one of ${protocols.join(', ')}`);
  const protocol = protocolText as SecurityProtocol;
  const summary: string[] = [protocol];
  let ssl: boolean | ConnectionOptions | undefined;
  if (protocol === 'ssl' || protocol === 'sasl_ssl') {
    const ca = env[securityEnv.ca] ?? input?.ssl?.ca;
    const cert = env[securityEnv.cert] ?? input?.ssl?.cert;
    const key = env[securityEnv.key] ?? input?.ssl?.key;
    if ((cert === undefined) !== (key === undefined)) throw invalid('security.ssl', { cert, key }, 'a client certificate needs both "cert" and "key"');
    const options: { -readonly [K in keyof ConnectionOptions]: ConnectionOptions[K] } = {};
    if (ca !== undefined) options.ca = readPem('security.ssl.ca', ca, baseDir);
    if (cert !== undefined && key !== undefined) {
      options.cert = readPem('security.ssl.cert', cert, baseDir);
      options.key = readPem('security.ssl.key', key, baseDir);
      const passphrase = env[securityEnv.keyPassword];
      if (passphrase !== undefined) options.passphrase = passphrase;
    }
    if (input?.ssl?.rejectUnauthorized === false) options.rejectUnauthorized = false;
    ssl = Object.keys(options).length === 0 ? true : options;
  } else if (input?.ssl !== undefined) {
    throw invalid('security.ssl', input.ssl, `TLS options need protocol ssl or sasl_ssl, not ${protocol}`);
  }
  let sasl: KafkaSaslOptions | undefined;
  if (protocol === 'sasl_plaintext' || protocol === 'sasl_ssl') {
    const mechanism = (env[securityEnv.mechanism]?.toLowerCase() ?? input?.sasl?.mechanism) as SaslMechanismName | undefined;
    if (mechanism === undefined || !mechanisms.includes(mechanism)) throw invalid('security.sasl.mechanism', mechanism ?? null, `protocol ${protocol} needs one of ${mechanisms.join(', ')}`);
    summary.push(mechanism);
    if (mechanism === 'oauthbearer') {
      const token = env[securityEnv.token];
      if (token === undefined || token === '') throw invalid('security.sasl', mechanism, `set the bearer token in the environment variable ${securityEnv.token} (secrets are never read from faustgen.yaml)`);
      sasl = { mechanism, token };
    } else {
      const username = env[securityEnv.username] ?? input?.sasl?.username;
      if (username === undefined || username === '') throw invalid('security.sasl.username', username ?? null, `SASL ${mechanism} needs a user name (security.sasl.username or ${securityEnv.username})`);
      const password = env[securityEnv.password];
      if (password === undefined) throw invalid('security.sasl', mechanism, `set the password of "${username}" in the environment variable ${securityEnv.password} (secrets are never read from faustgen.yaml)`);
      sasl = { mechanism, username, password };
      summary.push(`user ${username}`);
    }
  } else if (input?.sasl !== undefined) {
    throw invalid('security.sasl', input.sasl, `SASL needs protocol sasl_ssl or sasl_plaintext, not ${protocol}`);
  }
  return { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }), summary: summary.join(', ') };
}
