import { runCommand } from '../cli';
import { BREAKER_USAGE, breakerCommand } from './command';

runCommand(BREAKER_USAGE, (argv, io) => breakerCommand(argv, io));
