import { FaustgenError } from '../core/errors.js';

/**
 * How the subject of a topic's key or value schema is named (Confluent's strategies):
 * `topic` → `<topic>-key` / `<topic>-value` (the default), `record` → the record's full name,
 * `topic-record` → `<topic>-<record full name>`.
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record';

export const subjectNameStrategies: readonly SubjectNameStrategy[] = ['topic', 'record', 'topic-record'];

export function subjectName(strategy: SubjectNameStrategy, topic: string, isKey: boolean, recordName: string | undefined): string {
  if (strategy === 'topic') return `${topic}-${isKey ? 'key' : 'value'}`;
  if (recordName === undefined || recordName === '') {
    throw new FaustgenError('FG_SETTING_INVALID', `topic "${topic}": subject strategy "${strategy}" needs a named record schema for the ${isKey ? 'key' : 'value'}`, {
      details: { topic, setting: 'subjectStrategy' },
    });
  }
  return strategy === 'record' ? recordName : `${topic}-${recordName}`;
}
