import { runCommand } from '../cli';
import { STATUS_USAGE, statusCommand } from './command';

runCommand(STATUS_USAGE, (argv, io) => statusCommand(argv, io));
