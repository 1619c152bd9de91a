export { loadTopology, parseTopology } from './load.js';
export type { LoadedTopology } from './load.js';
export { checkTypes, canonicalType, agentInput } from './check-types.js';
export { agentsInSinkOrder } from './validate.js';
export { camelCase, kebabCase, pascalCase } from './names.js';
export type * from './types.js';
