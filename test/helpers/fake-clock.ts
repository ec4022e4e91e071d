/** A wall clock the test moves by hand: no sleeping, no timing in assertions. */
export class FakeClock {
  constructor(private millis = Date.UTC(2024, 10, 24, 23, 20)) {}

  now(): number {
    return this.millis;
  }

  advance(millis: number): void {
    this.millis += millis;
  }
}
