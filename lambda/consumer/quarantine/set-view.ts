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
  /**
   * The instance's own committed writes, numbered: a read sent before one of them may be answered after
   * it, and must not erase it (the next record of a key just entered would then be delivered directly).
   */
  private readonly notes = new Map<string, { entry: QuarantineEntry | undefined; number: number }>();
  private noted = 0;
  /** Bumped by {@link forget}: a read sent before it must not become the view. */
  private generation = 0;

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
    if (this.reading === undefined) {
      const reading = this.read().finally(() => {
        // A read that forget() superseded must not clear the read sent after it.
        if (this.reading === reading) this.reading = undefined;
      });
      this.reading = reading;
    }
    return this.reading;
  }

  /** Records what this instance's own committed write did to `key` (undefined: it left the set). */
  note(key: string, entry: QuarantineEntry | undefined): void {
    this.notes.set(key, { entry, number: ++this.noted });
    if (this.view === undefined) return;
    if (entry === undefined) this.view.set.delete(key);
    else this.view.set.set(key, entry);
  }

  /**
   * Drops the view after one of this instance's writes failed without an answer: it may have committed
   * (a DynamoDB call that timed out after the write landed), so no view read before it may be trusted,
   * nor one already being read. The next record reads the set again.
   */
  forget(): void {
    this.view = undefined;
    this.reading = undefined;
    this.generation++;
  }

  private async read(): Promise<QuarantineSet> {
    const readAt = this.clock.now();
    const notedBefore = this.noted;
    const generation = this.generation;
    const set = new Map(await this.store.read());
    // Writes noted before the read was sent had committed before it: the answer holds them.
    for (const [key, { entry, number }] of this.notes) {
      if (number <= notedBefore) this.notes.delete(key);
      else if (entry === undefined) set.delete(key);
      else set.set(key, entry);
    }
    if (generation === this.generation) this.view = { set, readAt };
    return set;
  }
}
