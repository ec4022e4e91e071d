import type { CfnResource, CfnTemplate } from './cfn-template';
import { propertyOf } from './cfn-template';
import type { IntrinsicResolver } from './intrinsics';
import { referencedId } from './template-policies';

/**
 * Finds the template's resources by the values AWS and the handlers see: a `Ref` value (a queue URL,
 * a table name, a mapping UUID) or an ARN.
 */
export class ResourceIndex {
  private readonly byValue = new Map<string, string>();

  constructor(
    readonly template: CfnTemplate,
    readonly resolver: IntrinsicResolver,
  ) {
    for (const id of Object.keys(template.Resources)) {
      for (const value of [resolver.refOf(id), resolver.arnOf(id)]) {
        if (!this.byValue.has(value)) this.byValue.set(value, id);
      }
    }
  }

  /** The logical ID of the resource a resolved value names, if any. */
  idOf(value: string): string | undefined {
    return this.byValue.get(value);
  }

  /** The logical ID a raw (unresolved) property value refers to, through an intrinsic or its value. */
  idReferencedBy(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    const id = referencedId(value);
    if (id !== undefined && this.template.Resources[id] !== undefined) return id;
    const resolved = this.resolver.resolve(value);
    return typeof resolved === 'string' ? this.idOf(resolved) : undefined;
  }

  resource(id: string): CfnResource {
    return this.template.Resources[id];
  }

  /** Logical IDs of the resources of one type. */
  ofType(type: string): string[] {
    return Object.keys(this.template.Resources).filter((id) => this.template.Resources[id].Type === type);
  }

  /**
   * The customer-managed key in the template that encrypts a resource, read from the property its
   * type uses for it. Undefined for an unencrypted resource or an AWS managed key.
   */
  encryptionKeyOf(id: string): string | undefined {
    const resource = this.resource(id);
    const keyValue = ((): unknown => {
      switch (resource.Type) {
        case 'AWS::SNS::Topic':
        case 'AWS::SQS::Queue':
          return propertyOf(resource, 'KmsMasterKeyId');
        case 'AWS::Logs::LogGroup':
          return propertyOf(resource, 'KmsKeyId');
        case 'AWS::Kinesis::Stream':
          return (propertyOf(resource, 'StreamEncryption') as { KeyId?: unknown } | undefined)?.KeyId;
        case 'AWS::DynamoDB::Table':
          return (propertyOf(resource, 'SSESpecification') as { KMSMasterKeyId?: unknown } | undefined)
            ?.KMSMasterKeyId;
        case 'AWS::S3::Bucket': {
          const rules = (
            propertyOf(resource, 'BucketEncryption') as
              | {
                  ServerSideEncryptionConfiguration?: {
                    ServerSideEncryptionByDefault?: { KMSMasterKeyID?: unknown };
                  }[];
                }
              | undefined
          )?.ServerSideEncryptionConfiguration;
          return rules?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        }
        default:
          return undefined;
      }
    })();
    const keyId = this.idReferencedBy(keyValue);
    return keyId !== undefined && this.resource(keyId).Type === 'AWS::KMS::Key' ? keyId : undefined;
  }
}
