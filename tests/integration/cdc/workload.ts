import type { Client } from "pg";

/**
 * The scripted source workload: inserts, updates, deletes, primary-key updates, one transaction
 * touching thousands of rows, a new nullable column, then more changes. Ids are deterministic per
 * round, and inserts are upserts, so the same workload can be run again (replayed) against the
 * source. Timestamps are cut to milliseconds: the lake keeps timestamps to the millisecond.
 */

export const cid = (n: number) => `CUST-${String(n).padStart(8, "0")}`;
const segments = ["consumer", "small_business", "enterprise"];
const countries = ["IE", "DE", "US", "JP", "BR", null];
const now = "date_trunc('milliseconds', clock_timestamp())";

export async function createSource(client: Client): Promise<void> {
    await client.query(`DROP TABLE IF EXISTS public.customers_audit, public.customers`);
    await client.query(
        `CREATE TABLE public.customers (id text PRIMARY KEY, name text NOT NULL, email text, country text, segment text NOT NULL, ` +
            `created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
    );
    // An independent record of every row change (a trigger, not the log) to check history against.
    await client.query(
        `CREATE TABLE public.customers_audit (seq bigserial PRIMARY KEY, xid xid NOT NULL DEFAULT pg_current_xact_id()::xid, op text NOT NULL, old_id text, new_row jsonb)`,
    );
    await client.query(`CREATE FUNCTION public.customers_audit_fn() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO public.customers_audit (op, old_id, new_row)
          VALUES (TG_OP, CASE WHEN TG_OP <> 'INSERT' THEN OLD.id END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
          RETURN NULL;
        END $$`.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"));
}

export async function enableAudit(client: Client): Promise<void> {
    await client.query(`CREATE TRIGGER customers_audit AFTER INSERT OR UPDATE OR DELETE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.customers_audit_fn()`);
}

/** Rows present before capture starts (they reach the lake through the full load). */
export async function seed(client: Client, count: number): Promise<void> {
    await client.query(
        `INSERT INTO public.customers SELECT 'CUST-' || lpad(g::text, 8, '0'), 'Seed ' || g, 'seed' || g || '@example.com', 'FR', 'consumer', ${now}, ${now} FROM generate_series(1, $1) AS g`,
        [count],
    );
}

async function upsert(client: Client, n: number, name: string, segment: string, country: string | null): Promise<void> {
    await client.query(
        `INSERT INTO public.customers (id, name, email, country, segment, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, ${now}, ${now}) ` +
            `ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, segment = EXCLUDED.segment, country = EXCLUDED.country, updated_at = EXCLUDED.updated_at`,
        [cid(n), name, `c${n}@example.com`, country, segment],
    );
}

const touch = `updated_at = ${now}`;

/** One round of the workload; `round` only changes values, never ids, so rounds replay the same statements. */
export async function runWorkload(client: Client, round: number): Promise<void> {
    // Inserts, one statement each, with a quote, a comma and a NULL among the values.
    for (let n = 1001; n <= 1040; n++) {
        await upsert(client, n, n % 7 === 0 ? `O'Neil, "Jr" ${n}` : `Customer ${n}`, segments[n % 3] as string, countries[n % countries.length] ?? null);
    }
    // Updates.
    for (let n = 1001; n <= 1010; n++) {
        await client.query(`UPDATE public.customers SET segment = $2, ${touch} WHERE id = $1`, [cid(n), segments[(n + round) % 3]]);
    }
    // Deletes (of seeded and new rows).
    await client.query(`DELETE FROM public.customers WHERE id IN ($1, $2, $3)`, [cid(2), cid(3), cid(1011)]);
    // Primary-key updates: a row moves to a new key (an id no round inserts otherwise).
    for (const [from, to] of [[1012, 5012], [1013, 5013], [4, 5004]] as const) {
        await client.query(`DELETE FROM public.customers WHERE id = $1`, [cid(to)]);
        await client.query(`UPDATE public.customers SET id = $2, ${touch} WHERE id = $1`, [cid(from), cid(to)]);
    }
    // One transaction touching thousands of rows: inserts, updates of the same rows, a delete.
    await client.query("BEGIN");
    await client.query(
        `INSERT INTO public.customers SELECT 'CUST-' || lpad(g::text, 8, '0'), 'Bulk ' || g, NULL, 'US', 'consumer', ${now}, ${now} FROM generate_series(20000, 22499) AS g ` +
            `ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, ${touch}`,
    );
    await client.query(`UPDATE public.customers SET segment = 'enterprise', ${touch} WHERE id BETWEEN $1 AND $2`, [cid(20000), cid(21499)]);
    await client.query(`DELETE FROM public.customers WHERE id BETWEEN $1 AND $2`, [cid(22400), cid(22499)]);
    await client.query("COMMIT");
    // A new nullable column: captured but not part of the dataset; rows keep flowing.
    await client.query(`ALTER TABLE public.customers ADD COLUMN IF NOT EXISTS loyalty_tier text`);
    await client.query(`UPDATE public.customers SET loyalty_tier = 'gold', country = 'IE', ${touch} WHERE id IN ($1, $2)`, [cid(1020), cid(1021)]);
    // Two changes of one key in one transaction: one committed version.
    await client.query("BEGIN");
    await client.query(`UPDATE public.customers SET segment = 'consumer', ${touch} WHERE id = $1`, [cid(1030)]);
    await client.query(`UPDATE public.customers SET segment = 'enterprise', name = $2, ${touch} WHERE id = $1`, [cid(1030), `Twice ${round}`]);
    await client.query("COMMIT");
}
