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
  /** Every project file or package that sends it, `sentFrom` first. */
  readonly senders: readonly string[];
}

/** The project root: handler entries in the template are relative to it. */
const PROJECT_ROOT = join(__dirname, '..');

/** `// lambda/consumer/handler.ts`: esbuild's unminified output opens each input's code with its path. */
const INPUT_HEADER = /^\/\/ (\S+)$/;
/** A command class of an SDK client package, as its input path names it. */
const COMMAND_FILE = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/commands\/(\w+Command)\.js$/;
/** A paginator or waiter of an SDK client package: it builds the commands it sends itself. */
const HELPER_FILE = /node_modules\/@aws-sdk\/client-[a-z0-9-]+\/dist-es\/(?:pagination|waiters)\/\w+\.js$/;
/** The functions a paginator or waiter module gives the handler (`paginateScan`, `waitUntilObjectExists`). */
const HELPER_ENTRY = /^(?:var|let|const|async function|function) ((?:paginate|waitFor|waitUntil)\w+)\b/gm;
/** A client package's top-level module, where its aggregated client (`SQS`, `S3`) is defined. */
const CLIENT_MODULE_FILE = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/(\w+)\.js$/;
/** The SDK's own code (credential providers, S3 Express sessions) sends calls the handler never asks for. */
const SDK_INTERNAL = /node_modules\/@(aws-sdk|smithy)\//;
/** An identifier: esbuild renames a binding that collides by appending digits (`SendMessageCommand2`). */
const IDENTIFIER = /[A-Za-z_$][\w$]*/g;
/** `new SQS(`, `new S32(`: a construction, to tell an aggregated client apart from the word in a message. */
const CONSTRUCTION = /\bnew\s+([A-Za-z_$][\w$]*)\s*\(/g;

/**
 * Operations whose IAM action is not named after them. S3's ListObjectsV2 is authorized by
 * s3:ListBucket (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html). Any other
 * command maps to `<signing name>:<operation>`; a name IAM does not know makes the evaluator throw,
 * so a missing line here is loud, never a silent pass.
 */
const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  's3:ListObjectsV2': 's3:ListBucket',
  // "you must have the s3:GetObject permission" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html)
  's3:HeadObject': 's3:GetObject',
};

const cache = new Map<string, readonly SentCommand[]>();

/**
 * The AWS calls a handler's code can send, read from its esbuild bundle (tree-shaken as the deployed
 * bundle is): see {@link commandsIn}. Code that is bundled but never reached by the handler
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

/**
 * The commands one unminified esbuild bundle sends, by the input each is sent from: every command class
 * of an `@aws-sdk/client-*` package that code outside the SDK names (`new ScanCommand(`,
 * `sdk.SendMessageCommand` of a dynamic import, a destructured or renamed binding), and the commands of
 * each paginator or waiter that code names (`paginateListObjectsV2`). An aggregated client
 * (`new SQS(...)`) sends a command per method call, which the bundle cannot tell: it throws.
 */
export function commandsIn(bundle: string): SentCommand[] {
  const sections = sectionsOf(bundle);
  const clientOf = new Map<string, string>();
  const aggregatedOf = new Map<string, string>();
  for (const { input, text } of sections) {
    const command = COMMAND_FILE.exec(input);
    if (command !== null) clientOf.set(command[2], command[1]);
    const module = CLIENT_MODULE_FILE.exec(input);
    if (module !== null && text.includes('createAggregatedClient')) aggregatedOf.set(module[2], module[1]);
  }
  // What each paginator and waiter function sends.
  const helperCommands = new Map<string, string[]>();
  for (const { input, text } of sections) {
    if (!HELPER_FILE.test(input)) continue;
    const commands = [...identifiersOf(text).keys()].filter((name) => clientOf.has(name));
    for (const entry of text.matchAll(HELPER_ENTRY)) helperCommands.set(entry[1], commands);
  }
  // Every name the code outside the SDK uses, with the inputs that use it, in bundle order.
  const named = new Map<string, string[]>();
  for (const { input, text } of sections) {
    if (SDK_INTERNAL.test(input)) continue;
    for (const name of identifiersOf(text).keys()) {
      const inputs = named.get(name);
      if (inputs === undefined) named.set(name, [input]);
      else inputs.push(input);
    }
    for (const match of text.matchAll(CONSTRUCTION)) {
      const name = withoutRenameSuffix(match[1], (n) => aggregatedOf.has(n));
      if (name !== undefined)
        throw new Error(
          `${packageOrFile(input)} uses the aggregated client ${name} of @aws-sdk/${aggregatedOf.get(name)}: ` +
            'its method calls cannot be read from the bundle, so the access-path check cannot tell which AWS ' +
            `calls it makes; send commands through ${name}Client instead`,
        );
    }
  }
  const sentFrom = new Map<string, string[]>();
  const addSenders = (command: string, inputs: readonly string[]): void => {
    const senders = sentFrom.get(command) ?? [];
    for (const input of inputs) if (!senders.includes(input)) senders.push(input);
    sentFrom.set(command, senders);
  };
  for (const [name, inputs] of named) {
    const command = withoutRenameSuffix(name, (n) => clientOf.has(n));
    if (command !== undefined) addSenders(command, inputs);
    const helper = withoutRenameSuffix(name, (n) => helperCommands.has(n));
    for (const sent of helper === undefined ? [] : (helperCommands.get(helper) ?? []))
      addSenders(sent, inputs);
  }
  const sent: SentCommand[] = [];
  for (const [command, inputs] of sentFrom) {
    const service = signingNameOf(clientOf.get(command) as string);
    const senders = [...new Set(inputs.map(packageOrFile))];
    sent.push({ command, service, action: actionOf(service, command), sentFrom: senders[0], senders });
  }
  return sent.sort((a, b) => a.action.localeCompare(b.action) || a.command.localeCompare(b.command));
}

/** The bundle's code by input: esbuild's unminified output opens each input's code with its path. */
function sectionsOf(bundle: string): { input: string; text: string }[] {
  const sections: { input: string; lines: string[] }[] = [{ input: '', lines: [] }];
  for (const line of bundle.split('\n')) {
    const header = INPUT_HEADER.exec(line);
    if (header !== null) sections.push({ input: header[1], lines: [] });
    else sections[sections.length - 1].lines.push(line);
  }
  return sections.map(({ input, lines }) => ({ input, text: lines.join('\n') }));
}

/** The identifiers in some code, once each. */
function identifiersOf(text: string): Map<string, true> {
  const names = new Map<string, true>();
  for (const match of text.matchAll(IDENTIFIER)) names.set(match[0], true);
  return names;
}

/** The name `name` is, itself or without the digits esbuild appends to a renamed binding. */
function withoutRenameSuffix(name: string, known: (candidate: string) => boolean): string | undefined {
  if (known(name)) return name;
  for (let end = name.length - 1; end > 0 && /\d/.test(name[end]); end--) {
    if (known(name.slice(0, end))) return name.slice(0, end);
  }
  return undefined;
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
