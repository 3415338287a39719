/** The settled result of one item of `mapSettledWithConcurrency`, in input order. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Runs `task` over `items` with at most `limit` tasks in flight and waits for all of them, like
 * `Promise.allSettled` with a concurrency cap. Results keep the input order, so callers can match
 * them to their items deterministically.
 */
export async function mapSettledWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<Settled<R>[]> {
    const results: Settled<R>[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next;
            next += 1;
            try {
                results[index] = { ok: true, value: await task(items[index] as T, index) };
            } catch (error) {
                results[index] = { ok: false, error };
            }
        }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
    await Promise.all(workers);
    return results;
}
