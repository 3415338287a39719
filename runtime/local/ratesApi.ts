import * as http from "http";
import { AddressInfo } from "net";

/**
 * A local stand-in for an FX rates HTTP API, started on port 0 by `npm run local` (the fx_rates
 * source of the run, with `localRatesFor` as its data) and by the connector tests. It serves
 * `GET /v1/rates` filtered by `updated_since` (inclusive) and `updated_before` (exclusive) in any of
 * the four pagination styles, checks an API key (`X-Api-Key`) or an OAuth2 bearer token issued by
 * `POST /oauth/token`, and plays scripted faults: a status (429 with Retry-After, 500...) or a
 * slow answer, for the next N requests.
 */

export interface FxRecord {
    base_currency: string;
    quote_currency: string;
    rate_date: string;
    rate: string | number;
    provider?: string;
    updated_at: string;
    [extra: string]: unknown;
}

export type FakeStyle = "cursor" | "nextLink" | "page" | "offset";

export type Fault =
    | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string; readonly times: number }
    | { readonly kind: "slow"; readonly delayMs: number; readonly times: number };

export interface FakeApi {
    readonly url: string;
    readonly baseUrl: string;
    /** The provider's data; tests add and revise records between runs. */
    readonly records: FxRecord[];
    /** Faults played in order, each for `times` requests to /v1/rates. */
    readonly faults: Fault[];
    /** Every request to /v1/rates (path and query) and when it arrived (epoch ms). */
    readonly requests: { readonly url: string; readonly at: number }[];
    readonly tokenRequests: () => number;
    close(): Promise<void>;
}

export interface FakeApiOptions {
    readonly style: FakeStyle;
    readonly pageSize: number;
    readonly apiKey?: string;
    readonly oauth?: { readonly clientId: string; readonly clientSecret: string };
}

function sortKey(r: FxRecord): string {
    return `${r.updated_at}|${r.base_currency}|${r.quote_currency}|${r.rate_date}`;
}

export async function startFakeApi(options: FakeApiOptions): Promise<FakeApi> {
    const records: FxRecord[] = [];
    const faults: Fault[] = [];
    const requests: { url: string; at: number }[] = [];
    let tokens = 0;
    const issued = new Set<string>();
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
            res.writeHead(status, { "content-type": "application/json", ...headers });
            res.end(JSON.stringify(body));
        };
        if (req.method === "POST" && url.pathname === "/oauth/token") {
            const expected = options.oauth ? `Basic ${Buffer.from(`${options.oauth.clientId}:${options.oauth.clientSecret}`).toString("base64")}` : "";
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => {
                if (req.headers.authorization !== expected || !body.includes("grant_type=client_credentials")) {
                    send(401, { error: "invalid_client" });
                    return;
                }
                tokens += 1;
                const token = `token-${tokens}`;
                issued.add(token);
                send(200, { access_token: token, token_type: "Bearer", expires_in: 3600 });
            });
            return;
        }
        if (req.method !== "GET" || url.pathname !== "/v1/rates") {
            send(404, { error: "not found" });
            return;
        }
        requests.push({ url: `${url.pathname}${url.search}`, at: Date.now() });
        const authorized = options.oauth ? issued.has((req.headers.authorization ?? "").replace(/^Bearer /, "")) : req.headers["x-api-key"] === options.apiKey;
        if (!authorized) {
            send(401, { error: "unauthorized" });
            return;
        }
        const fault = faults[0];
        if (fault) {
            const remaining = fault.times - 1;
            if (remaining <= 0) {
                faults.shift();
            } else {
                faults[0] = { ...fault, times: remaining };
            }
            if (fault.kind === "status") {
                send(fault.status, { error: `scripted ${fault.status}` }, fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {});
                return;
            }
        }
        const since = url.searchParams.get("updated_since") ?? "";
        const before = url.searchParams.get("updated_before") ?? "\uffff";
        const selected = records.filter((r) => r.updated_at >= since && r.updated_at < before).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
        let start = 0;
        let size = options.pageSize;
        const body: Record<string, unknown> = {};
        switch (options.style) {
            case "cursor": {
                const cursor = url.searchParams.get("cursor");
                start = cursor ? Number(Buffer.from(cursor, "base64url").toString()) : 0;
                const end = start + size;
                body.next_cursor = end < selected.length ? Buffer.from(String(end)).toString("base64url") : null;
                break;
            }
            case "nextLink": {
                start = Number(url.searchParams.get("after") ?? "0");
                const end = start + size;
                const next = new URL(url.toString());
                next.searchParams.set("after", String(end));
                body.links = { next: end < selected.length ? `${next.pathname}${next.search}` : null };
                break;
            }
            case "page":
                size = Number(url.searchParams.get("per_page") ?? options.pageSize);
                start = (Number(url.searchParams.get("page") ?? "1") - 1) * size;
                break;
            case "offset":
                size = Number(url.searchParams.get("limit") ?? options.pageSize);
                start = Number(url.searchParams.get("offset") ?? "0");
                break;
        }
        body.data = selected.slice(start, start + size);
        const respond = () => send(200, body);
        if (fault?.kind === "slow") {
            setTimeout(respond, fault.delayMs);
        } else {
            respond();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    return {
        url,
        baseUrl: `${url}/v1/rates`,
        records,
        faults,
        requests,
        tokenRequests: () => tokens,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/**
 * The rates the local API serves for one UTC day: USD → each currency orders use (runtime/datasets/orders.ts)
 * but one, so a converted order can also meet a missing rate. Deterministic: the same day gives the same
 * records, each revised once during the day (the transform keeps the later revision); `badRecords`
 * adds records the fx_rates rules reject (a negative rate, a three-letter code that is not one).
 */
export function localRatesFor(day: string, options: { readonly withoutRate: string; readonly badRecords: number }): FxRecord[] {
    const quotes = ["EUR", "GBP", "JPY", "AUD", "CAD", "BRL", "MXN"].filter((code) => code !== options.withoutRate);
    const base: Record<string, number> = { EUR: 0.92, GBP: 0.79, JPY: 151.3, AUD: 1.52, CAD: 1.36, BRL: 5.1, MXN: 16.9 };
    const dayNumber = Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
    const records: FxRecord[] = [];
    quotes.forEach((quote, index) => {
        const rate = (base[quote] as number) * (1 + (((dayNumber + index) % 7) - 3) / 1000);
        for (const [revision, hour] of [[0, 6], [1, 16]] as const) {
            records.push({
                base_currency: "USD",
                quote_currency: quote,
                rate_date: day,
                rate: (rate * (1 + revision / 2000)).toFixed(6),
                provider: "ECB",
                updated_at: `${day}T${String(hour).padStart(2, "0")}:${String(index).padStart(2, "0")}:00.000Z`,
            });
        }
    });
    for (let i = 0; i < options.badRecords; i += 1) {
        records.push(
            i % 2 === 0
                ? { base_currency: "USD", quote_currency: "EUR", rate_date: day, rate: "-1.000000", provider: "ECB", updated_at: `${day}T12:${String(i).padStart(2, "0")}:30.000Z` }
                : { base_currency: "USD", quote_currency: "EURO", rate_date: day, rate: "1.000000", provider: "ECB", updated_at: `${day}T12:${String(i).padStart(2, "0")}:30.000Z` },
        );
    }
    return records;
}

/** `count` distinct valid USD-based records updated at `updatedAt`, for rate dates going back from `day`. */
export function fxRecords(count: number, updatedAt: string, day = "2026-12-01"): FxRecord[] {
    const quotes = ["EUR", "GBP", "JPY", "AUD", "CAD", "BRL", "MXN", "CHF", "CNY", "INR", "SEK"];
    const out: FxRecord[] = [];
    for (let i = 0; i < count; i += 1) {
        const date = new Date(Date.parse(`${day}T00:00:00Z`) - Math.floor(i / quotes.length) * 86_400_000).toISOString().slice(0, 10);
        out.push({ base_currency: "USD", quote_currency: quotes[i % quotes.length] as string, rate_date: date, rate: (0.5 + i / 100).toFixed(6), provider: "ECB", updated_at: updatedAt });
    }
    return out;
}
