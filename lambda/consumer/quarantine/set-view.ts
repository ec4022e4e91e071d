import type { Clock } from '../../../contracts';
import type { QuarantineEntry, QuarantineSet, QuarantineStore } from '../../shared';

/**
 * This instance's view of the quarantined-key set, read at most once per `ttlMillis` (never per record)
 * and trusted only while younger than that, measured from before the read was sent: the hand-over
 * protocol's proof rests on a view never outliving the entering invocation's fence (docs/architecture.md,
 * "Per-key quarantine"). The instance's own writes update it in place.
 */
export class QuarantineSetView {
  private view: { set: Map<string, QuarantineEntry>; readAt: number } | undefined;
  private reading: Promise<QuarantineSet> | undefined;

  constructor(
    private readonly store: QuarantineStore,
    private readonly ttlMillis: number,
    /** Monotonic: the view's age must not stretch with a wall-clock step. */
    private readonly clock: Clock,
  ) {}

  /** The set when the view is fresh, without a promise; undefined when it must be read. */
  current(): QuarantineSet | undefined {
    const view = this.view;
    return view !== undefined && this.clock.now() - view.readAt < this.ttlMillis ? view.set : undefined;
  }

  /**
   * The set, read when the view is stale (concurrent reads coalesce).
   * @throws {QuarantineStoreError} when it cannot be read: nobody may then tell a key is not quarantined
   */
  async fresh(): Promise<QuarantineSet> {
    const known = this.current();
    if (known !== undefined) return known;
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** Records what this instance's own committed write did to `key` (undefined: it left the set). */
  note(key: string, entry: QuarantineEntry | undefined): void {
    if (this.view === undefined) return;
    if (entry === undefined) this.view.set.delete(key);
    else this.view.set.set(key, entry);
  }

  private async read(): Promise<QuarantineSet> {
    const readAt = this.clock.now();
    const set = new Map(await this.store.read());
    this.view = { set, readAt };
    return set;
  }
}
