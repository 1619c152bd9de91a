/** Validation of Avro logical type annotations (which underlying type, which parameters). */
import type { LogicalName } from '../../../../runtime/src/codegen/descriptors.js';
import { maxDecimalPrecision } from '../../../../runtime/src/codegen/logical.js';
import { pointerJoin } from '../json-locate.js';
import type { DiagnosticSink, SourceDoc } from '../source.js';

/** The underlying type each supported logical type needs (`fixed` ones also check the size). */
const underlying: Readonly<Record<LogicalName, string>> = {
  date: 'int',
  'time-millis': 'int',
  'time-micros': 'long',
  'timestamp-millis': 'long',
  'timestamp-micros': 'long',
  'local-timestamp-millis': 'long',
  'local-timestamp-micros': 'long',
  'timestamp-nanos': 'long',
  'local-timestamp-nanos': 'long',
  decimal: 'bytes or fixed',
  uuid: 'string or fixed',
  duration: 'fixed',
};

export function isSupportedLogical(name: string): name is LogicalName {
  return Object.hasOwn(underlying, name);
}

export interface LogicalSpec {
  readonly logical: LogicalName;
  readonly precision?: number;
  readonly scale?: number;
}

/**
 * Checks a `logicalType` annotation on a node whose own type is `base` (`fixed` with `size`).
 * Returns undefined when there is none or when it is unknown (the spec says: use the underlying type);
 * returns null after reporting a problem.
 */
export function readLogical(
  node: Readonly<Record<string, unknown>>,
  base: string,
  size: number | undefined,
  pointer: string,
  doc: SourceDoc,
  sink: DiagnosticSink,
): LogicalSpec | undefined | null {
  const name = node['logicalType'];
  if (name === undefined) return undefined;
  const at = pointerJoin(pointer, 'logicalType');
  if (typeof name !== 'string') {
    sink.report(doc, at, '"logicalType" must be a string');
    return null;
  }
  if (!isSupportedLogical(name)) return undefined;
  const expected = underlying[name];
  const fits = name === 'decimal' ? base === 'bytes' || base === 'fixed' : name === 'uuid' ? base === 'string' || base === 'fixed' : expected === base;
  if (!fits) {
    sink.report(doc, at, `logical type ${name} needs an underlying ${expected}, not ${base}`);
    return null;
  }
  if (name === 'duration' && size !== 12) {
    sink.report(doc, pointerJoin(pointer, 'size'), `logical type duration needs a fixed of size 12, not ${String(size)}`);
    return null;
  }
  if (name === 'uuid' && base === 'fixed' && size !== 16) {
    sink.report(doc, pointerJoin(pointer, 'size'), `logical type uuid on a fixed needs size 16, not ${String(size)}`);
    return null;
  }
  if (name !== 'decimal') return { logical: name };
  return readDecimal(node, size, pointer, doc, sink);
}

function readDecimal(node: Readonly<Record<string, unknown>>, size: number | undefined, pointer: string, doc: SourceDoc, sink: DiagnosticSink): LogicalSpec | null {
  const precision = node['precision'];
  const scale = node['scale'] ?? 0;
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
    sink.report(doc, pointerJoin(pointer, 'precision'), `decimal "precision" must be a positive integer, got ${JSON.stringify(precision) ?? 'nothing'}`);
    return null;
  }
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
    sink.report(doc, pointerJoin(pointer, 'scale'), `decimal "scale" must be an integer from 0 to the precision (${precision}), got ${JSON.stringify(scale)}`);
    return null;
  }
  if (size !== undefined && precision > maxDecimalPrecision(size)) {
    sink.report(doc, pointerJoin(pointer, 'precision'), `decimal precision ${precision} does not fit in a fixed of ${size} bytes (at most ${maxDecimalPrecision(size)})`);
    return null;
  }
  return { logical: 'decimal', precision, scale };
}
