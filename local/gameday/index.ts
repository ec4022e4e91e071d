/** The game day's public surface, for the benchmarks (local/gameday/main.ts is its command line). */
export { PARTITION_KEYS } from './events';
export { parseOptions } from './options';
export { seededRandom } from './prng';
export type { GameDayOptions } from './options';
export type { ProgressSnapshot } from './progress';
export type { GameDayReport } from './report';
export { runBoundMillis, runGameDay, stageConfig } from './run-gameday';
