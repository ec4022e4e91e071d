import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CfnTemplate } from '../../access';

/** What the synthesized template depends on: the CDK app, its contracts, its entry and cdk.json. */
const TEMPLATE_SOURCES = ['lib', 'contracts', 'bin', 'cdk.json', 'package-lock.json'] as const;

/** Where synthesized templates are kept, by stage and source hash (gitignored with the rest of .gameday/). */
export const TEMPLATE_CACHE_DIR = join('.gameday', 'templates');

export interface StageTemplateOptions {
  /** The project root. @default the current directory */
  readonly root?: string;
  /** Writes the stage's template to a file; @default - runs bin/synth-template.ts with tsx */
  readonly synthesize?: (stage: string, outFile: string, root: string) => void;
}

/** A loaded template and where it came from, for the run's output. */
export interface StageTemplate {
  readonly template: CfnTemplate;
  readonly file: string;
  /** Whether this call synthesized it (a cache miss). */
  readonly synthesized: boolean;
}

/**
 * The stage's synthesized template, from the cache when its sources have not changed since it was
 * synthesized, else synthesized once (a few seconds: the CDK app, without bundling) and cached. Local
 * mode judges alarm notifications by it.
 */
export function loadStageTemplate(stage: string, options: StageTemplateOptions = {}): StageTemplate {
  const root = options.root ?? process.cwd();
  const dir = join(root, TEMPLATE_CACHE_DIR);
  const file = join(dir, `${stage}-${sourceHash(root)}.json`);
  let synthesized = false;
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed, so a concurrent run never reads half a template.
    const partial = `${file}.${process.pid}.partial`;
    (options.synthesize ?? synthesizeWithTsx)(stage, partial, root);
    renameSync(partial, file);
    synthesized = true;
  }
  return { template: JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate, file, synthesized };
}

/** A hash of every file the template is built from (paths and contents). */
export function sourceHash(root: string): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
      return;
    }
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const source of TEMPLATE_SOURCES) visit(join(root, source));
  return hash.digest('hex').slice(0, 16);
}

function synthesizeWithTsx(stage: string, outFile: string, root: string): void {
  execFileSync(
    join(root, 'node_modules', '.bin', 'tsx'),
    [join(root, 'bin', 'synth-template.ts'), stage, outFile],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
