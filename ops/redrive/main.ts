import { runCommand } from '../cli';
import { REDRIVE_USAGE, redriveCommand } from './command';

runCommand(REDRIVE_USAGE, redriveCommand);
