import { describeError } from "../common/errors";
import { ObjectStore } from "../common/objectStore";
import { LineageInputError, LineageTransportError } from "./errors";
import { RunEvent } from "./types";

/**
 * Where events go. The lake transport writes one NDJSON object per emission under a date-partitioned
 * lineage prefix (an Athena table with partition projection reads it); the HTTP transport posts each
 * event to an OpenLineage endpoint such as Marquez. Transports throw `LineageTransportError`; the
 * emitter (`emitter.ts`) turns that into a log line and a metric so a data stage never fails on it.
 */
export interface LineageTransport {
    readonly name: string;
    send(events: readonly RunEvent[]): Promise<void>;
}

export interface LakeTransportOptions {
    /** The store to write to; SSE-KMS is the store's setting (`createS3ObjectStore({ sseKmsKeyArn })`). */
    readonly store: ObjectStore;
    readonly bucket: string;
    /** Key prefix without trailing slash, such as `lineage`. */
    readonly prefix: string;
}

/**
 * The key of one emission: `<prefix>/dt=<event date>/<job name>.<run id>.<emission id>.json`. The
 * emission id is the caller's deterministic name for what is being reported, so a replay writes the
 * same key and the conditional create leaves the object unchanged.
 */
export function lineageObjectKey(prefix: string, event: Pick<RunEvent, "eventTime" | "job" | "run">, emissionId: string): string {
    const dt = event.eventTime.slice(0, 10);
    const job = event.job.name.replace(/[^A-Za-z0-9._-]/g, "_");
    const emission = emissionId.replace(/[^A-Za-z0-9._-]/g, "_");
    return `${prefix}/dt=${dt}/${job}.${event.run.runId}.${emission}.json`;
}

/** Writes events as NDJSON, one object per `send`, keyed by the first event and the emission id. */
export function createLakeTransport(options: LakeTransportOptions): LineageTransport & { sendAs(emissionId: string, events: readonly RunEvent[]): Promise<void> } {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
        throw new LineageInputError("lineage.bucket", `lineage bucket: expected an S3 bucket name; found ${JSON.stringify(options.bucket)}`);
    }
    const prefix = options.prefix.replace(/^\/+|\/+$/g, "");
    if (prefix.length === 0) {
        throw new LineageInputError("lineage.prefix", `lineage prefix: expected a key prefix such as lineage; found ${JSON.stringify(options.prefix)}`);
    }
    const sendAs = async (emissionId: string, events: readonly RunEvent[]): Promise<void> => {
        const first = events[0];
        if (first === undefined) {
            return;
        }
        const key = lineageObjectKey(prefix, first, emissionId);
        const body = Buffer.from(events.map((event) => JSON.stringify(event)).join("\n") + "\n", "utf8");
        try {
            await options.store.putObject({ bucket: options.bucket, key, body, contentType: "application/x-ndjson", ifNoneMatch: true });
        } catch (error) {
            throw new LineageTransportError("lake", `lineage: writing s3://${options.bucket}/${key} failed: ${describeError(error)}`, { cause: error });
        }
    };
    return {
        name: "lake",
        sendAs,
        send: (events) => sendAs(events.map((event) => event.eventType).join("-"), events),
    };
}

/** A `fetch`-compatible function (the global one in Node 22). */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface HttpTransportOptions {
    /** The endpoint's full URL, such as https://marquez.example.com/api/v1/lineage. Must be https. */
    readonly url: string;
    /** Sent as `Authorization: Bearer <key>` when given; a function is called once, on the first send (a secret read). */
    readonly apiKey?: string | (() => Promise<string>);
    /** Time limit per request. Defaults to 5,000 ms. */
    readonly timeoutMs?: number;
    /** Defaults to the global `fetch`. */
    readonly fetch?: FetchLike;
}

/** Checks an HTTP endpoint setting: https only. Returns the URL unchanged. */
export function checkHttpEndpoint(field: string, url: string): string {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch (error) {
        throw new LineageInputError(field, `${field}: expected an https URL such as https://marquez.example.com/api/v1/lineage; found ${JSON.stringify(url)}`, { cause: error });
    }
    if (parsed.protocol !== "https:") {
        throw new LineageInputError(field, `${field}: expected an https URL (events leave the VPC encrypted only); found ${parsed.protocol}//${parsed.host}. Fix: use the endpoint's https address`);
    }
    return url;
}

/** Posts each event as JSON; any non-2xx answer or network error is a `LineageTransportError`. */
export function createHttpTransport(options: HttpTransportOptions): LineageTransport {
    const url = checkHttpEndpoint("lineageHttpEndpoint", options.url);
    const send = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    const timeoutMs = options.timeoutMs ?? 5_000;
    let headers: Promise<Record<string, string>> | undefined;
    const headersOnce = (): Promise<Record<string, string>> => {
        const apiKey = options.apiKey;
        headers ??= (typeof apiKey === "function" ? apiKey() : Promise.resolve(apiKey)).then((key) => ({
            "content-type": "application/json",
            ...(key ? { authorization: `Bearer ${key}` } : {}),
        }));
        // A failed secret read is retried on the next emission rather than cached.
        headers.catch(() => {
            headers = undefined;
        });
        return headers;
    };
    return {
        name: "http",
        async send(events) {
            let resolved: Record<string, string>;
            try {
                resolved = await headersOnce();
            } catch (error) {
                throw new LineageTransportError("http", `lineage: reading the API key for ${url} failed: ${describeError(error)}`, { cause: error });
            }
            for (const event of events) {
                let response;
                try {
                    response = await send(url, { method: "POST", headers: resolved, body: JSON.stringify(event), signal: AbortSignal.timeout(timeoutMs) });
                } catch (error) {
                    throw new LineageTransportError("http", `lineage: POST ${url} failed: ${describeError(error)}`, { cause: error });
                }
                if (!response.ok) {
                    const text = (await response.text().catch(() => "")).slice(0, 200);
                    throw new LineageTransportError("http", `lineage: POST ${url} answered ${response.status}${text ? `: ${text}` : ""}`);
                }
            }
        },
    };
}
