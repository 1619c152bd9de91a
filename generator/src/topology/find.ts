import { access } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

/** The topology file: the given path, or `faustgen.yaml` / `.yml` / `.json` in the project root. */
export async function findTopology(projectRoot: string, topologyPath?: string): Promise<string> {
  if (topologyPath !== undefined) return isAbsolute(topologyPath) ? topologyPath : resolve(projectRoot, topologyPath);
  for (const name of ['faustgen.yaml', 'faustgen.yml', 'faustgen.json']) {
    try {
      await access(join(projectRoot, name));
      return join(projectRoot, name);
    } catch {
      // try the next name
    }
  }
  return join(projectRoot, 'faustgen.yaml');
}
