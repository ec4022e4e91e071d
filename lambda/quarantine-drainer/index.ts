/** The quarantine drainer's public surface: the factory handler.ts and local mode call. */
export { buildDrainer } from './wiring';
export type { DrainerWiring } from './wiring';
