/** One attempt's outcome: landed with a value, or the branch moved under it. */
export type Attempt<T> = { kind: 'done'; value: T } | { kind: 'stale' };

/**
 * The one retry loop of pinback: when the branch moved under a commit, read again, decide again
 * (the other writer may already have done the work). Serves rollbacks, fallbacks, kill-switch
 * releases and unlocks alike; `attempts` bounds it, then `gaveUp` says what to tell people.
 */
export async function untilLanded<T>(
  attempts: number,
  attempt: (n: number) => Promise<Attempt<T>>,
  gaveUp: () => Error,
): Promise<T> {
  for (let n = 1; n <= attempts; n++) {
    const outcome = await attempt(n);
    if (outcome.kind === 'done') return outcome.value;
  }
  throw gaveUp();
}
