import { describeError } from "../../common/errors";
import { ApiConnectorError, ApiRequestError } from "./errors";

/**
 * HTTP requests to the source API: one attempt is bounded by a timeout (an AbortController), and
 * failed attempts are retried with capped exponential backoff and full jitter (the delay is drawn
 * uniformly from 0 .. min(cap, base × 2^attempt), as AWS's "Exponential Backoff and Jitter"
 * recommends), except that a `Retry-After` header on a 429 or 503 is honoured as the minimum wait.
 * Retried: 408, 429, 5xx, timeouts and network errors. Anything else fails at once.
 */

/** What the connector needs of `fetch`; Node's global fetch (undici) in Lambda, a test double elsewhere. */
export type FetchFunction = (url: string, init: { readonly method: string; readonly headers: Record<string, string>; readonly body?: string; readonly signal: AbortSignal }) => Promise<Response>;

export interface RetryPolicy {
    /** Attempts per request, including the first. */
    readonly maxAttempts: number;
    /** First backoff ceiling in milliseconds. */
    readonly baseDelayMs: number;
    /** Largest backoff ceiling (and largest Retry-After honoured) in milliseconds. */
    readonly maxDelayMs: number;
    /** Time limit of one attempt in milliseconds. */
    readonly timeoutMs: number;
}

/** The clock and randomness the retry loop uses; injectable so tests need not sleep or guess. */
export interface RetryEnvironment {
    readonly now: () => number;
    readonly sleep: (ms: number) => Promise<void>;
    /** A number in [0, 1). */
    readonly random: () => number;
}

/** Real time and `Math.random`. */
export const systemRetryEnvironment: RetryEnvironment = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => Math.random(),
};

/**
 * The wait a `Retry-After` value asks for, in milliseconds: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). `undefined` when absent or unreadable; never negative.
 */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
    if (value === null || value === undefined || value.trim() === "") {
        return undefined;
    }
    const text = value.trim();
    if (/^\d+$/.test(text)) {
        return Number(text) * 1000;
    }
    const date = Date.parse(text);
    return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/** Full-jitter backoff before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, random: () => number): number {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(random() * ceiling);
}

/** Whether a response status is worth another attempt. */
export function isRetryableStatus(status: number): boolean {
    return status === 408 || status === 429 || status >= 500;
}

/** What one request did, for metrics and logs. */
export interface RequestOutcome {
    readonly response: Response;
    readonly attempts: number;
    /** Failed attempts (retried statuses, timeouts, network errors). */
    readonly errors: number;
    /** Time of the successful attempt in milliseconds. */
    readonly latencyMs: number;
}

export interface RequestSpec {
    readonly url: string;
    readonly method: "GET" | "POST";
    readonly headers: Record<string, string>;
    readonly body?: string;
}

/**
 * Sends a request with the retry rules above. Returns the first successful (2xx) response;
 * throws `ApiRequestError` with the URL, the status and the attempts made when it gives up.
 * `onAttemptError` hears about every failed attempt (for API-error metrics and log lines).
 */
export async function requestWithRetry(
    fetchFn: FetchFunction,
    request: RequestSpec,
    policy: RetryPolicy,
    env: RetryEnvironment = systemRetryEnvironment,
    onAttemptError?: (problem: { readonly attempt: number; readonly status?: number; readonly reason: string; readonly waitMs: number }) => void,
): Promise<RequestOutcome> {
    let errors = 0;
    for (let attempt = 1; ; attempt += 1) {
        const controller = new AbortController();
        const started = env.now();
        const timer = setTimeout(() => controller.abort(new ApiConnectorError(`no response within ${policy.timeoutMs} ms`)), policy.timeoutMs);
        let status: number | undefined;
        let reason: string;
        let minimumWait = 0;
        try {
            const response = await fetchFn(request.url, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}), signal: controller.signal });
            if (response.ok) {
                // The body is read under the same timeout: a server that stalls mid-body is a timeout too.
                const text = await response.text();
                clearTimeout(timer);
                return { response: new Response(text, { status: response.status, headers: response.headers }), attempts: attempt, errors, latencyMs: env.now() - started };
            }
            status = response.status;
            const body = await response.text().catch(() => "");
            reason = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}`;
            if (!isRetryableStatus(status)) {
                clearTimeout(timer);
                throw new ApiRequestError(request.url, status, attempt, `${request.method} ${request.url} failed with ${reason}; this status is not retried: check the source's URL, parameters and credentials`);
            }
            minimumWait = retryAfterMs(response.headers.get("retry-after"), env.now()) ?? 0;
        } catch (error) {
            clearTimeout(timer);
            if (error instanceof ApiRequestError) {
                throw error;
            }
            reason = controller.signal.aborted ? `timed out after ${policy.timeoutMs} ms` : `network error (${describeError(error)})`;
        }
        clearTimeout(timer);
        errors += 1;
        if (attempt >= policy.maxAttempts) {
            throw new ApiRequestError(request.url, status, attempt, `${request.method} ${request.url} failed after ${attempt} attempts, last: ${reason}; raise timeoutSeconds or check the API's health`);
        }
        const waitMs = Math.min(policy.maxDelayMs, Math.max(minimumWait, backoffMs(attempt, policy, env.random)));
        onAttemptError?.({ attempt, ...(status !== undefined ? { status } : {}), reason, waitMs });
        await env.sleep(waitMs);
    }
}

/**
 * A request rate limit: at most `perSecond` requests start in any one-second interval, spaced
 * evenly (1000 / perSecond ms apart), so bursts never trip the provider's own limiter.
 */
export function createRateLimiter(perSecond: number, env: Pick<RetryEnvironment, "now" | "sleep"> = systemRetryEnvironment): () => Promise<void> {
    const spacingMs = 1000 / perSecond;
    let nextAt = 0;
    return async () => {
        const now = env.now();
        const at = Math.max(now, nextAt);
        nextAt = at + spacingMs;
        if (at > now) {
            await env.sleep(at - now);
        }
    };
}
