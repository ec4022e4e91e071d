import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { closeServer, listenOnLoopback, loopbackUrl } from '../emulators';
import type { ControllableMapping } from './controllable-mapping';
import {
  invalidParameter,
  LambdaApiError,
  mappingInUse,
  mappingNotFound,
  unknownOperation,
} from './lambda-api-errors';

/** A running local Lambda API: point `AWS_ENDPOINT_URL_LAMBDA` (or a LambdaClient's endpoint) at `endpoint`. */
export interface LocalLambdaApi {
  readonly endpoint: string;
  /** Registers a mapping after start (mappings are usually created after the API, to know its URL). */
  readonly addMapping: (mapping: ControllableMapping) => void;
  readonly stop: () => Promise<void>;
}

export interface LocalLambdaApiOptions {
  readonly mappings?: readonly ControllableMapping[];
  /** Called after an UpdateEventSourceMapping changed (or confirmed) a mapping's Enabled flag. */
  readonly onEnabledChange?: (uuid: string, enabled: boolean) => void;
}

const MAPPINGS_PATH = '/2015-03-31/event-source-mappings/';
/** Fields UpdateEventSourceMapping accepts here; the rest of the mapping comes from config. */
const UPDATABLE_FIELDS = ['Enabled', 'FunctionName'];
/** States in which the mapping is still applying a change: an update now is refused, as in AWS. */
const IN_TRANSITION = new Set(['Creating', 'Enabling', 'Disabling', 'Updating', 'Deleting']);
const OK = 200;
const ACCEPTED = 202;
const INTERNAL_ERROR = 500;
const MILLIS_PER_SECOND = 1000;

/**
 * Serves the subset of the Lambda REST API the breaker controller calls, backed by local mappings:
 * GetEventSourceMapping, UpdateEventSourceMapping (Enabled) and ListEventSourceMappings.
 */
export async function startLambdaApi(options: LocalLambdaApiOptions = {}): Promise<LocalLambdaApi> {
  const mappings = new Map<string, ControllableMapping>();
  const addMapping = (mapping: ControllableMapping): void => {
    mappings.set(mapping.uuid, mapping);
  };
  options.mappings?.forEach(addMapping);

  const route = async (req: IncomingMessage): Promise<{ status: number; body: unknown }> => {
    const url = new URL(req.url ?? '/', 'http://local');
    // ListEventSourceMappings is the collection path, sent without the trailing slash.
    const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
    if (!path.startsWith(MAPPINGS_PATH)) throw unknownOperation(req.method ?? '', url.pathname);
    const uuid = decodeURIComponent(path.slice(MAPPINGS_PATH.length, -1));
    if (uuid === '' && req.method === 'GET') return { status: OK, body: list(mappings, url.searchParams) };
    const mapping = mappings.get(uuid);
    if (req.method === 'GET' && mapping) return { status: OK, body: toWire(mapping.configuration()) };
    if (req.method === 'PUT' && mapping) {
      const enabled = parseUpdate(await readBody(req));
      const state = mapping.configuration().State;
      if (state !== undefined && IN_TRANSITION.has(state)) throw mappingInUse(uuid, state);
      if (enabled !== undefined) {
        mapping.setEnabled(enabled);
        options.onEnabledChange?.(uuid, enabled);
      }
      return { status: ACCEPTED, body: toWire(transitional(mapping.configuration(), enabled)) };
    }
    if (req.method === 'GET' || req.method === 'PUT') throw mappingNotFound(uuid);
    throw unknownOperation(req.method ?? '', url.pathname);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req).then(
      ({ status, body }) => send(res, status, body),
      (error: unknown) => sendError(res, error),
    );
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: loopbackUrl(port),
    addMapping,
    stop: () => closeServer(server, () => server.closeAllConnections()),
  };
}

function list(
  mappings: ReadonlyMap<string, ControllableMapping>,
  query: URLSearchParams,
): { EventSourceMappings: unknown[] } {
  const functionName = query.get('FunctionName');
  const eventSourceArn = query.get('EventSourceArn');
  const matches = [...mappings.values()]
    .map((mapping) => mapping.configuration())
    .filter(
      (config) =>
        (functionName === null || functionMatches(config.FunctionArn ?? '', functionName)) &&
        (eventSourceArn === null || config.EventSourceArn === eventSourceArn),
    );
  // Local mappings are few: one page, no NextMarker.
  return { EventSourceMappings: matches.map(toWire) };
}

/** FunctionName may be a name or an ARN, as in the real API. */
function functionMatches(functionArn: string, functionName: string): boolean {
  return functionArn === functionName || functionArn.endsWith(`:function:${functionName}`);
}

function parseUpdate(raw: string): boolean | undefined {
  let body: unknown;
  try {
    body = raw === '' ? {} : JSON.parse(raw);
  } catch {
    throw invalidParameter('UpdateEventSourceMapping body is not JSON');
  }
  if (typeof body !== 'object' || body === null)
    throw invalidParameter('UpdateEventSourceMapping body is not an object');
  const fields = body as Record<string, unknown>;
  const unsupported = Object.keys(fields).filter((key) => !UPDATABLE_FIELDS.includes(key));
  if (unsupported.length > 0) {
    throw invalidParameter(
      `UpdateEventSourceMapping fields ${unsupported.join(', ')} are not supported locally; allowed ${UPDATABLE_FIELDS.join(', ')} (the rest comes from config)`,
    );
  }
  const enabled = fields.Enabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw invalidParameter(`Enabled = ${JSON.stringify(enabled)}; allowed true or false`);
  }
  return enabled;
}

/** AWS answers an update with the state in transition ("Enabling"/"Disabling"); locally it is applied at once. */
function transitional(
  config: EventSourceMappingConfiguration,
  enabled: boolean | undefined,
): EventSourceMappingConfiguration {
  if (enabled === undefined) return config;
  return { ...config, State: enabled ? 'Enabling' : 'Disabling', StateTransitionReason: 'USER_INITIATED' };
}

/** JSON as the REST API sends it: timestamps in epoch seconds. */
function toWire(config: EventSourceMappingConfiguration): Record<string, unknown> {
  const { LastModified, ...rest } = config;
  return LastModified === undefined
    ? rest
    : { ...rest, LastModified: LastModified.getTime() / MILLIS_PER_SECOND };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof LambdaApiError
      ? error
      : new LambdaApiError(
          INTERNAL_ERROR,
          'ServiceException',
          error instanceof Error ? error.message : String(error),
        );
  send(
    res,
    apiError.statusCode,
    { Type: 'User', Message: apiError.message },
    { 'x-amzn-ErrorType': apiError.type },
  );
}
