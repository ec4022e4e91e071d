import { relative } from 'node:path';
import { INTEG_SNAPSHOT_FILE, synthesizeIntegTemplates, writeIntegSnapshot } from './integ-snapshot';

// `npm run integ:update`: rewrites the integration test's committed snapshot after a deliberate change.
writeIntegSnapshot(synthesizeIntegTemplates());
process.stdout.write(`wrote ${relative(process.cwd(), INTEG_SNAPSHOT_FILE)}\n`);
