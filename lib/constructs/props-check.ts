import { Token } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Limit } from '../../contracts';

/** A construct was given props outside their documented ranges; lists every problem at once. */
export class ConstructPropsError extends Error {
  constructor(
    /** Path of the construct in the tree, e.g. `EventPipeline-dev/Consumer-orders`. */
    readonly constructPath: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid props of ${constructPath}; synth stops here:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConstructPropsError';
  }
}

/**
 * Checks a construct's props as aws-cdk's own constructs do: each problem names the prop, the inclusive
 * range with its unit and the value given; unresolved tokens are skipped (they are checked at deploy).
 * Problems are collected and thrown once by {@link PropsCheck.done}.
 */
export class PropsCheck {
  private readonly problems: string[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** A whole number in `limit`; `undefined` (the default applies) passes. */
  integer(prop: string, value: number | undefined, limit: Limit, unit = ''): this {
    if (value === undefined || Token.isUnresolved(value)) return this;
    if (!Number.isInteger(value) || value < limit.min || value > limit.max) {
      this.problems.push(
        `${prop} = ${value}; allowed an integer ${limit.min}..${limit.max}${unit && ` ${unit}`}`,
      );
    }
    return this;
  }

  /** A duration of whole seconds in `limitSeconds`; `undefined` passes. */
  seconds(prop: string, value: Duration | undefined, limitSeconds: Limit): this {
    return this.duration(prop, value, limitSeconds, 'seconds');
  }

  /** A duration of whole hours in `limitHours`; `undefined` passes. */
  hours(prop: string, value: Duration | undefined, limitHours: Limit): this {
    return this.duration(prop, value, limitHours, 'hours');
  }

  private duration(prop: string, value: Duration | undefined, limit: Limit, unit: 'seconds' | 'hours'): this {
    if (value === undefined || value.isUnresolved()) return this;
    const amount =
      unit === 'seconds' ? value.toSeconds({ integral: false }) : value.toHours({ integral: false });
    if (!Number.isInteger(amount) || amount < limit.min || amount > limit.max) {
      this.problems.push(
        `${prop} = ${value.toHumanString()}; allowed whole ${unit} ${limit.min}..${limit.max}`,
      );
    }
    return this;
  }

  /** Records `message` when `failed`: a rule the range checks above cannot express. */
  problem(failed: boolean, message: string): this {
    if (failed) this.problems.push(message);
    return this;
  }

  /** @throws {ConstructPropsError} when any check failed */
  done(): void {
    if (this.problems.length > 0) throw new ConstructPropsError(this.scope.node.path, this.problems);
  }
}
