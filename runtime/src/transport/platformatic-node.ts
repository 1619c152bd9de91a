import { FaustgenError } from '../core/errors.js';

/** @platformatic/kafka 2.x declares `node >= 22.22.0` (docs/adr/0010-second-kafka-driver.md). */
export const PLATFORMATIC_MIN_NODE = '22.22.0';

/** True when `version` (as in `process.versions.node`, e.g. "22.23.3") runs @platformatic/kafka 2.x. */
export function nodeRunsPlatformatic(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [minMajor = 0, minMinor = 0] = PLATFORMATIC_MIN_NODE.split('.').map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

/**
 * Refuses `kafka+platformatic://` on an older Node before the client library is loaded: it would
 * load, then fail somewhere inside. kafkajs still runs on Node 20 (`kafka+kafkajs://`, and `kafka://`
 * there), so the check is here and not in package.json's engines.
 */
export function requireNodeForPlatformatic(url: string, version: string = process.versions.node): void {
  if (nodeRunsPlatformatic(version)) return;
  throw new FaustgenError(
    'FG_SETTING_INVALID',
    `setting "broker" is ${url}: the kafka+platformatic:// driver (@platformatic/kafka 2.x) needs Node >= ${PLATFORMATIC_MIN_NODE}, this is Node ${version}; use Node 22 or kafka+kafkajs:// (kafkajs, Node 20 and later)`,
    { kind: 'user', details: { setting: 'broker', value: url, node: version, requiredNode: `>=${PLATFORMATIC_MIN_NODE}` } },
  );
}
