import { runCommand } from '../cli';
import { DRILL_USAGE, drillCommand } from './command';

runCommand(DRILL_USAGE, (argv, io) => drillCommand(argv, io));
