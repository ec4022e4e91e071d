import { LEADING_KEYS } from './hops';
import type { Hop, HopWalker } from './hops';

/** A request that must be refused, and why the pipeline's policies must refuse it. */
export interface ForbiddenHop {
  readonly reason: 'plain-http' | 'another-account' | 'another-role' | 'another-partition';
  readonly hop: Hop;
}

/** The partition key a call names when no other caller's is known: any key that is not the caller's own. */
export const OTHER_PARTITION = 'another-consumer';

/** The account ID the negative paths pretend to call from: any account that is not the stack's. */
export const OTHER_ACCOUNT = '999999999999';

/**
 * The requests the template's policies must refuse, derived from its allowed hops:
 * - each hop to a topic, queue or bucket made over plain HTTP (`aws:SecureTransport` false), which
 *   the resource's TLS-only statement denies;
 * - each service hop made for another account's alarm, rule or mapping (the source account and ARN
 *   rewritten), and each role hop made by the same-named role of another account;
 * - each function role's hop to a resource its settings name, made by another function's role whose
 *   settings do not name it and that needs no such call on any other path (a consumer may not use
 *   another consumer's queue or secret);
 * - each role's call to its own partition of a table (`dynamodb:LeadingKeys`) made on another caller's
 *   partition instead (a consumer may not read or write another consumer's quarantined keys).
 */
export function forbiddenHops(walker: HopWalker, allowed: readonly Hop[]): ForbiddenHop[] {
  const forbidden: ForbiddenHop[] = [];
  for (const hop of allowed) {
    if (hop.resourcePolicy !== undefined && /^(sns|sqs|s3):/.test(hop.action)) {
      forbidden.push({
        reason: 'plain-http',
        hop: { ...hop, context: { ...hop.context, 'aws:SecureTransport': 'false' } },
      });
    }
    forbidden.push({ reason: 'another-account', hop: fromAnotherAccount(hop, walker.resolver.env.account) });
  }
  const functions = walker.index.ofType('AWS::Lambda::Function');
  const named = new Map(functions.map((id) => [id, new Set(walker.namedBySettings(id))]));
  // What each role is meant to do anyway, on any path (a consumer's role lists the on-failure bucket for
  // its mapping): that is no cross-function leak when another function's settings name the same resource.
  const granted = new Set(allowed.map((h) => `${h.roleId}|${h.action}|${h.targetId}`));
  for (const hop of allowed) {
    if (hop.kind !== 'role-call' || !named.get(hop.sourceId)?.has(hop.targetId)) continue;
    for (const other of functions) {
      const roleId = walker.roleOf(other);
      if (other === hop.sourceId || roleId === undefined || roleId === hop.roleId) continue;
      if (named.get(other)?.has(hop.targetId)) continue;
      if (granted.has(`${roleId}|${hop.action}|${hop.targetId}`)) continue;
      const caller = walker.roleCaller('role-call', other, roleId);
      forbidden.push({
        reason: 'another-role',
        hop: {
          ...hop,
          from: caller.from,
          sourceId: other,
          principal: caller.principal,
          roleId,
          identityPolicies: caller.identityPolicies,
        },
      });
    }
  }
  forbidden.push(...otherPartitions(allowed));
  return forbidden;
}

/** Each partition-keyed hop, once for every other partition key the allowed hops name (or one made up). */
function otherPartitions(allowed: readonly Hop[]): ForbiddenHop[] {
  const keysOf = (hop: Hop): readonly string[] => {
    const value = hop.context[LEADING_KEYS];
    return value === undefined ? [] : typeof value === 'string' ? [value] : value;
  };
  const known = [...new Set(allowed.flatMap(keysOf))];
  return allowed.flatMap((hop) => {
    const own = keysOf(hop);
    if (own.length === 0) return [];
    const others = known.filter((key) => !own.includes(key));
    return (others.length === 0 ? [OTHER_PARTITION] : others).map((key) => ({
      reason: 'another-partition' as const,
      hop: { ...hop, context: { ...hop.context, [LEADING_KEYS]: [key] } },
    }));
  });
}

function fromAnotherAccount(hop: Hop, account: string): Hop {
  const swap = (value: string): string => value.split(`:${account}:`).join(`:${OTHER_ACCOUNT}:`);
  if (hop.roleId !== undefined) {
    // Another account's role has none of this account's identity policies: it gets only what the
    // resource's policy grants it.
    return { ...hop, principal: swap(hop.principal), identityPolicies: [] };
  }
  const context = Object.fromEntries(
    Object.entries(hop.context).map(([key, value]) => [
      key,
      key === 'aws:SourceAccount' ? OTHER_ACCOUNT : typeof value === 'string' ? swap(value) : value.map(swap),
    ]),
  );
  return { ...hop, context };
}
