import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { buildSync } from 'esbuild';

/** One AWS call a handler's code sends: the SDK command and the IAM action it needs. */
export interface SentCommand {
  /** `ScanCommand`, `SendMessageCommand`, ... */
  readonly command: string;
  /** `dynamodb:Scan`: the client's signing name, then the operation (see {@link actionOf}). */
  readonly action: string;
  /** The IAM service prefix, the signing name of the command's client (`secretsmanager`). */
  readonly service: string;
  /** The project file or package that sends it (`lambda/shared/breaker/dynamodb-store.ts`). */
  readonly sentFrom: string;
}

/** The project root: handler entries in the template are relative to it. */
const PROJECT_ROOT = join(__dirname, '..');

/** `// lambda/consumer/handler.ts`: esbuild's unminified output opens each input's code with its path. */
const INPUT_HEADER = /^\/\/ (\S+)$/;
/** A command class of an SDK client package, as its input path names it. */
const COMMAND_FILE = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/commands\/(\w+Command)\.js$/;
/** The SDK's own code (credential providers, S3 Express sessions) sends calls the handler never asks for. */
const SDK_INTERNAL = /node_modules\/@(aws-sdk|smithy)\//;
/** `new ScanCommand(`, `new SendMessageCommand2(` (esbuild renames a binding that collides). */
const CONSTRUCTION = /\bnew (\w+Command)\d*\(/g;

/**
 * Operations whose IAM action is not named after them. S3's ListObjectsV2 is authorized by
 * s3:ListBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html). Any other
 * command maps to `<signing name>:<operation>`; a name IAM does not know makes the evaluator throw,
 * so a missing line here is loud, never a silent pass.
 */
const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  's3:ListObjectsV2': 's3:ListBucket',
};

const cache = new Map<string, readonly SentCommand[]>();

/**
 * The AWS calls a handler's code can send, read from its esbuild bundle (tree-shaken as the deployed
 * bundle is): every `new <Name>Command(` outside the SDK's own code whose class is a command of an
 * `@aws-sdk/client-*` package in the bundle. Code that is bundled but never reached by the handler
 * (a method of a class it uses) counts as sent: the check errs towards asking for the grant.
 * Memoised per entry; one bundle takes about a second.
 * @param entry - the handler's TypeScript entry, relative to the project root (the template's
 *   `pipeline:handler-entry` metadata) or absolute
 */
export function commandsSentBy(entry: string): readonly SentCommand[] {
  const known = cache.get(entry);
  if (known !== undefined) return known;
  const result = buildSync({
    entryPoints: [isAbsolute(entry) ? entry : join(PROJECT_ROOT, entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // As the handlers are bundled (lib/constructs/pipeline-function.ts): the SDK's ES modules.
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    outfile: 'handler.js',
  });
  const sent = commandsIn(result.outputFiles[0].text);
  cache.set(entry, sent);
  return sent;
}

/** The commands constructed in one unminified esbuild bundle, by the input each is sent from. */
export function commandsIn(bundle: string): SentCommand[] {
  const clientOf = new Map<string, string>();
  const constructed: { command: string; sentFrom: string }[] = [];
  let input = '';
  for (const line of bundle.split('\n')) {
    const header = INPUT_HEADER.exec(line);
    if (header !== null) {
      input = header[1];
      const command = COMMAND_FILE.exec(input);
      if (command !== null) clientOf.set(command[2], command[1]);
      continue;
    }
    if (SDK_INTERNAL.test(input)) continue;
    for (const match of line.matchAll(CONSTRUCTION)) constructed.push({ command: match[1], sentFrom: input });
  }
  const seen = new Set<string>();
  const sent: SentCommand[] = [];
  for (const { command, sentFrom } of constructed) {
    const client = clientOf.get(command);
    if (client === undefined || seen.has(command)) continue;
    seen.add(command);
    const service = signingNameOf(client);
    sent.push({ command, service, action: actionOf(service, command), sentFrom: packageOrFile(sentFrom) });
  }
  return sent.sort((a, b) => a.action.localeCompare(b.action));
}

/** `dynamodb` + `ScanCommand` -> `dynamodb:Scan`, through {@link ACTION_OF_OPERATION}. */
export function actionOf(service: string, command: string): string {
  const action = `${service}:${command.replace(/Command$/, '')}`;
  return ACTION_OF_OPERATION[action] ?? action;
}

/**
 * The SigV4 signing name of an SDK client package, which is the IAM service prefix of its actions
 * (`client-secrets-manager` signs as `secretsmanager`), read from the client's auth scheme provider.
 */
function signingNameOf(client: string): string {
  const provider = readFileSync(
    join(PROJECT_ROOT, 'node_modules', '@aws-sdk', client, 'dist-es', 'auth', 'httpAuthSchemeProvider.js'),
    'utf8',
  );
  const name = /signingProperties:\s*\{\s*name:\s*"([a-z0-9-]+)"/.exec(provider)?.[1];
  if (name === undefined) throw new Error(`cannot read the signing name of @aws-sdk/${client}`);
  return name;
}

/** `node_modules/@aws-lambda-powertools/parameters/lib/esm/...` -> `@aws-lambda-powertools/parameters`. */
function packageOrFile(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match === null ? input : match[1];
}
