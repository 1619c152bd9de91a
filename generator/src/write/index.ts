export { writeFileMap } from './writer.js';
export type { WriteRequest, WriteResult } from './writer.js';
export { planWrite } from './plan.js';
export type { WritePlan } from './plan.js';
export { markerFileName, markerContent, parseMarker } from './marker.js';
export type { Marker } from './marker.js';
export { sha256, listFiles } from './fs-utils.js';
