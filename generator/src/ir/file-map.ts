/**
 * The generator is a pure pipeline whose output is a FileMap; only the writer touches the disk, so
 * that a failed run writes nothing.
 */
export type Ownership = 'generated' | 'user';

export interface GeneratedFile {
  /** Path relative to the project root, with forward slashes. */
  readonly path: string;
  readonly content: string;
  /** `generated` files are rewritten on every run; `user` files are written once and never touched. */
  readonly ownership: Ownership;
}

export type FileMap = ReadonlyMap<string, GeneratedFile>;
