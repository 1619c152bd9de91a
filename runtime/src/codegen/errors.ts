import { FaustgenError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import type { ValidationIssue } from './issues.js';

const shownIssues = 3;

/** One error for a failed decode/encode/validation, with every issue in `details.issues`. */
export function issuesError(code: ErrorCode, what: string, issues: readonly ValidationIssue[]): FaustgenError {
  const listed = issues.slice(0, shownIssues).map((i) => `${i.path}: ${i.message}`).join('; ');
  const more = issues.length > shownIssues ? ` (and ${issues.length - shownIssues} more)` : '';
  return new FaustgenError(code, `${what}: ${listed}${more}`, { details: { path: issues[0]?.path ?? '$', issues } });
}
