export { actionAndSubject, choiceOption, integerOption, parseCommandLine } from './args';
export { formatDuration, formatTable } from './format';
export type { CommandIo } from './io';
export { runCommand } from './run-command';
export { requireConsumer, resolveStage } from './stage';
export type { ResolvedStage } from './stage';
export { EXIT, UsageError } from './usage-error';
export { colorEnabled, colors, DEFAULT_SCREEN, fitLine, LiveScreen, visibleText } from './live-screen';
export type { Colors, ScreenStream } from './live-screen';
