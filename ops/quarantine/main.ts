import { runCommand } from '../cli';
import { QUARANTINE_USAGE, quarantineCommand } from './command';

runCommand(QUARANTINE_USAGE, (argv, io) => quarantineCommand(argv, io));
