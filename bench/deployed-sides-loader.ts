import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HANDLER_BUNDLING } from '../lib';
import { bundleEntry, type ConsumerBundle } from './consumer-bundle';
import type * as DeployedSides from './deployed-sides';

export type Sides = typeof DeployedSides;

/** Bundles bench/deployed-sides.ts with the deployed options and loads it; `remove()` deletes the bundle. */
export async function loadDeployedSides(): Promise<{
  readonly sides: Sides;
  readonly bundle: ConsumerBundle;
}> {
  const bundle = await bundleEntry(HANDLER_BUNDLING, join(__dirname, 'deployed-sides.ts'));
  try {
    const sides = (await import(pathToFileURL(bundle.file).href)) as Sides;
    return { sides, bundle };
  } catch (error) {
    await bundle.remove();
    throw error;
  }
}
