import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import type { Hop } from './hops';

/** How IAM decides a request: allowed, or denied for lack of an allow, or by an explicit deny. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** The evaluator's answer for one hop, with AWS's kind of refusal text when it is refused. */
export interface HopVerdict {
  readonly hop: Hop;
  readonly decision: Decision;
  readonly allowed: boolean;
  /** Undefined when allowed; otherwise what AWS would report, e.g. in the alarm's action history. */
  readonly refusal?: string;
}

/** The evaluator failed on its input (an unknown action, a malformed policy): a fault of the walker. */
export class HopEvaluationError extends Error {
  override readonly name = 'HopEvaluationError';
  constructor(
    readonly hop: Hop,
    readonly errors: unknown,
  ) {
    super(`cannot evaluate ${describeHop(hop)}: ${JSON.stringify(errors)}`);
  }
}

/** `alarm X -> topic Y (sns:Publish as cloudwatch.amazonaws.com)`: a hop for people. */
export function describeHop(hop: Hop): string {
  return `${hop.from} -> ${hop.to} (${hop.action} as ${hop.principal})`;
}

/**
 * Evaluates one hop with the IAM policy evaluator (@cloud-copilot/iam-simulate): the caller's
 * identity policies, the resource's policy (a key policy for a key) and the request's context, as
 * AWS's policy evaluation logic does for a same- or cross-account request.
 * @throws {HopEvaluationError} when the evaluator rejects the request as malformed
 */
export async function evaluateHop(hop: Hop): Promise<HopVerdict> {
  const simulation: Simulation = {
    request: {
      principal: hop.principal,
      action: hop.action,
      resource: { resource: hop.resourceArn, accountId: hop.resourceAccount },
      contextVariables: Object.fromEntries(
        Object.entries(hop.context).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : [...value],
        ]),
      ),
    },
    identityPolicies: hop.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(hop.resourcePolicy === undefined ? {} : { resourcePolicy: hop.resourcePolicy }),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType !== 'single') throw new HopEvaluationError(hop, result);
  // iam-simulate 0.1.173 recognises variable context keys only in the `prefix/name` form, so it drops
  // `kms:EncryptionContext:aws:logs:arn` (AWS's `kms:EncryptionContext:<key>`) as unknown for the
  // action. Those inputs are evaluated again without its context-key filter: same policies, same engine.
  const decision = (
    (result.result.ignoredContextKeys ?? []).length === 0
      ? result.overallResult
      : unfilteredDecision(simulation)
  ) as Decision;
  const allowed = decision === 'Allowed';
  return {
    hop,
    decision,
    allowed,
    ...(allowed ? {} : { refusal: refusalText(hop, result.result.analysis) }),
  };
}

/** The decision without the context-key filter; the resource policy is passed named, as the engine wants. */
function unfilteredDecision(simulation: Simulation): string {
  const resourcePolicy: unknown = simulation.resourcePolicy;
  return runUnsafeSimulation(
    {
      ...simulation,
      ...(resourcePolicy === undefined
        ? {}
        : {
            resourcePolicy: createValidatedPolicy(resourcePolicy, validateResourcePolicy, {
              name: 'ResourcePolicy',
            }),
          }),
    },
    {},
  );
}

/** Evaluates hops one after another (the evaluator is synchronous work; order keeps output stable). */
export async function evaluateHops(hops: readonly Hop[]): Promise<HopVerdict[]> {
  const verdicts: HopVerdict[] = [];
  for (const hop of hops) verdicts.push(await evaluateHop(hop));
  return verdicts;
}

interface Analysis {
  readonly result: string;
  readonly identityAnalysis?: { readonly result: string };
  readonly resourceAnalysis?: { readonly result: string };
  readonly sameAccount?: boolean;
}

/** The refusal as AWS words it in an access-denied message (which policy kind refused, and how). */
function refusalText(hop: Hop, analysis: Analysis): string {
  const head = `${hop.principal} is not authorized to perform: ${hop.action} on resource: ${hop.resourceArn}`;
  if (analysis.resourceAnalysis?.result === 'ExplicitlyDenied') {
    return `${head} with an explicit deny in a resource-based policy`;
  }
  if (analysis.identityAnalysis?.result === 'ExplicitlyDenied') {
    return `${head} with an explicit deny in an identity-based policy`;
  }
  const identityAllows = analysis.identityAnalysis?.result === 'Allowed';
  if (hop.roleId !== undefined && !identityAllows)
    return `${head} because no identity-based policy allows the ${hop.action} action`;
  return `${head} because no resource-based policy allows the ${hop.action} action`;
}
