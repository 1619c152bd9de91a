import { packageVersion } from '../app/package-root.js';

/** The file that marks a folder as faustgen's to rewrite and prune. */
export const markerFileName = '.faustgen.json';

export interface Marker {
  readonly generator: 'faustgen';
  readonly version: string;
  /** sha256 of each input (topology, schemas), by project-relative path. */
  readonly inputs: Readonly<Record<string, string>>;
  /** sha256 of each generated file, by path relative to the generated folder. */
  readonly files: Readonly<Record<string, string>>;
}

function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Deterministic text of the marker: sorted keys, no timestamps. */
export function markerContent(inputs: Readonly<Record<string, string>>, files: Readonly<Record<string, string>>): string {
  const marker: Marker = { generator: 'faustgen', version: packageVersion(), inputs: sorted(inputs), files: sorted(files) };
  return `${JSON.stringify(marker, null, 2)}\n`;
}

export function parseMarker(text: string | undefined): Marker | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Marker>;
    return parsed.generator === 'faustgen' ? (parsed as Marker) : undefined;
  } catch {
    return undefined;
  }
}
