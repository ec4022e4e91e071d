import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Partition key of the breaker table: one item per breaker (see lambda/shared/breaker/item.ts). */
export const BREAKER_TABLE_PARTITION_KEY = 'name';
/** TTL attribute (epoch seconds) that the breaker refreshes on every write, so abandoned breakers expire. */
export const BREAKER_TABLE_TTL_ATTRIBUTE = 'expiresAt';

export interface BreakerTableProps {
  /** Physical table name. */
  readonly tableName: string;
  /**
   * What happens to the table when the stack is deleted or the table replaced.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The circuit breakers' state: on-demand, point-in-time recovery, encrypted, items expire through
 * TTL, and a stream of old and new images that drives the breaker controller.
 */
export class BreakerTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: BreakerTableProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: BREAKER_TABLE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS-managed key: breaker items hold counters and states, no event data, and every role
      // that reads the table or its stream can use this key without a key-policy grant.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: BREAKER_TABLE_TTL_ATTRIBUTE,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy,
      // No DeletionProtectionEnabled: with RetainExceptOnCreate, a failed first create makes CloudFormation
      // delete the new table, which DynamoDB refuses while protection is on, and the rollback fails
      // (ROLLBACK_FAILED, the table left behind to block the retry). The retain policy keeps the table on
      // later deletes and replacements; PITR keeps a backup of a table deleted outside CloudFormation
      // (docs/architecture.md, "Deleting and rolling back the stack").
      deletionProtection: false,
    });
  }
}
