export { choiceOption, COMMON_OPTIONS, integerOption, parseCommandLine } from './args';
export { formatDuration, formatTable } from './format';
export { runCommand } from './run-command';
export { requireConsumer, resolveStage } from './stage';
export type { ResolvedStage } from './stage';
export { EXIT, UsageError } from './usage-error';
export { processIo } from './io';
export type { CommandIo } from './io';
