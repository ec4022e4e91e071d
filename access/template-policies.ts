import type { CfnTemplate, PolicyDocument } from './cfn-template';
import { propertyOf } from './cfn-template';
import type { IntrinsicResolver } from './intrinsics';

/** A named identity policy, as the evaluator takes it. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** The logical ID a `{Ref}` or `{Fn::GetAtt}` points at, if the value is one. */
export function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const att = record['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  return undefined;
}

/**
 * The policies a template attaches, resolved: resource policies by the logical ID of the resource
 * they govern (topic, queue and bucket policies, key policies, Lambda permissions) and identity
 * policies by role.
 */
export class TemplatePolicies {
  private readonly resourceStatements = new Map<string, Record<string, unknown>[]>();
  private readonly identity = new Map<string, NamedPolicy[]>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly resolver: IntrinsicResolver,
  ) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      switch (resource.Type) {
        case 'AWS::SNS::TopicPolicy':
          this.governs(propertyOf(resource, 'Topics'), propertyOf(resource, 'PolicyDocument'));
          break;
        case 'AWS::SQS::QueuePolicy':
          this.governs(propertyOf(resource, 'Queues'), propertyOf(resource, 'PolicyDocument'));
          break;
        case 'AWS::S3::BucketPolicy':
          this.governs([propertyOf(resource, 'Bucket')], propertyOf(resource, 'PolicyDocument'));
          break;
        case 'AWS::KMS::Key':
          this.governs([{ Ref: id }], propertyOf(resource, 'KeyPolicy'));
          break;
        case 'AWS::Lambda::Permission':
          this.governs([propertyOf(resource, 'FunctionName')], this.permissionPolicy(id));
          break;
        case 'AWS::IAM::Policy':
        case 'AWS::IAM::ManagedPolicy':
          for (const role of (propertyOf(resource, 'Roles') as unknown[] | undefined) ?? []) {
            const roleId = referencedId(role);
            if (roleId === undefined) continue;
            this.identityList(roleId).push({
              name: id,
              policy: this.document(propertyOf(resource, 'PolicyDocument')),
            });
          }
          break;
        case 'AWS::IAM::Role':
          for (const inline of (propertyOf(resource, 'Policies') as Record<string, unknown>[] | undefined) ??
            []) {
            this.identityList(id).push({
              name: `${id}/${String(inline.PolicyName)}`,
              policy: this.document(inline.PolicyDocument),
            });
          }
          break;
        default:
          break;
      }
    }
  }

  /**
   * The resource policy AWS evaluates for the resource: the statements the template attaches to it,
   * or SNS's default topic policy when a topic has none (a topic policy replaces the default; see
   * docs/architecture.md, "Access paths"). Undefined when the resource has none (tables, streams).
   */
  resourcePolicyOf(logicalId: string): PolicyDocument | undefined {
    const statements = this.resourceStatements.get(logicalId);
    if (statements !== undefined) return { Version: '2012-10-17', Statement: statements };
    if (this.template.Resources[logicalId]?.Type === 'AWS::SNS::Topic')
      return this.defaultTopicPolicy(logicalId);
    return undefined;
  }

  /** The identity policies the template attaches to a role (AWS managed policies are not in it). */
  identityPoliciesOf(roleLogicalId: string): readonly NamedPolicy[] {
    return this.identity.get(roleLogicalId) ?? [];
  }

  private governs(targets: unknown, document: unknown): void {
    if (document === undefined) return;
    const statements = this.document(document).Statement;
    for (const target of (targets as unknown[] | undefined) ?? []) {
      const id = referencedId(target) ?? this.idNamed(this.resolver.string(target));
      if (id === undefined) continue;
      const list = this.resourceStatements.get(id) ?? [];
      list.push(...statements);
      this.resourceStatements.set(id, list);
    }
  }

  private idNamed(name: string): string | undefined {
    return Object.keys(this.template.Resources).find(
      (id) => this.resolver.nameOf(id) === name || this.resolver.arnOf(id) === name,
    );
  }

  private identityList(roleId: string): NamedPolicy[] {
    const list = this.identity.get(roleId) ?? [];
    this.identity.set(roleId, list);
    return list;
  }

  private document(value: unknown): PolicyDocument {
    const resolved = this.resolver.resolve(value) as { Statement?: unknown };
    const statement = resolved.Statement;
    return {
      Version: '2012-10-17',
      Statement: (Array.isArray(statement) ? statement : [statement]) as Record<string, unknown>[],
    };
  }

  /** A Lambda permission is one statement of the function's resource policy. */
  private permissionPolicy(id: string): PolicyDocument {
    const resource = this.template.Resources[id];
    const principal = this.resolver.string(propertyOf(resource, 'Principal'));
    const functionArn = this.functionArn(propertyOf(resource, 'FunctionName'));
    const sourceArn = propertyOf(resource, 'SourceArn');
    const sourceAccount = propertyOf(resource, 'SourceAccount');
    const condition: Record<string, Record<string, string>> = {};
    if (sourceArn !== undefined) condition.ArnLike = { 'aws:SourceArn': this.resolver.string(sourceArn) };
    if (sourceAccount !== undefined) {
      condition.StringEquals = { 'aws:SourceAccount': this.resolver.string(sourceAccount) };
    }
    return {
      Statement: [
        {
          Sid: id,
          Effect: 'Allow',
          Principal: principal.includes('.') ? { Service: principal } : { AWS: principal },
          Action: this.resolver.string(propertyOf(resource, 'Action')),
          Resource: functionArn,
          ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
        },
      ],
    };
  }

  private functionArn(value: unknown): string {
    const id = referencedId(value);
    return id === undefined ? this.resolver.string(value) : this.resolver.arnOf(id);
  }

  /** SNS's default access policy: the owning account's principals may use the topic. */
  private defaultTopicPolicy(logicalId: string): PolicyDocument {
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SnsDefaultPolicy',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: [
            'sns:GetTopicAttributes',
            'sns:SetTopicAttributes',
            'sns:AddPermission',
            'sns:RemovePermission',
            'sns:DeleteTopic',
            'sns:Subscribe',
            'sns:ListSubscriptionsByTopic',
            'sns:Publish',
          ],
          Resource: this.resolver.arnOf(logicalId),
          Condition: { StringEquals: { 'AWS:SourceOwner': this.resolver.env.account } },
        },
      ],
    };
  }
}
