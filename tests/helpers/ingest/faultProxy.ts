import * as http from "http";
import { AddressInfo } from "net";

/** What the proxy does with one request. */
export type FaultAction =
    /** Forward it and relay the answer. */
    | "pass"
    /** Answer 500 InternalError without forwarding (the object is not written). */
    | "error"
    /** Never answer and never forward (the client times out; the object is not written). */
    | "stall"
    /** Forward it, then never answer (the object is written, the client times out). */
    | "stall-after-write";

export interface ProxiedRequest {
    readonly method: string;
    /** Path and query, URL-decoded, e.g. `/bucket/orders/dt=2024-05-01/...?x-id=PutObject`. */
    readonly url: string;
    /** 1-based count of requests seen so far. */
    readonly number: number;
}

export interface FaultProxy {
    readonly endpoint: string;
    readonly log: { readonly method: string; readonly url: string; readonly action: FaultAction }[];
    setRule(rule: (request: ProxiedRequest) => FaultAction): void;
    close(): Promise<void>;
}

/**
 * An HTTP proxy in front of moto that injects S3 faults at the wire: errors, and timeouts before
 * or after the write took effect. The SDK under test talks to the proxy exactly as it would to
 * S3, so its own retries and timeouts are exercised too.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
    const upstream = new URL(target);
    let rule: (request: ProxiedRequest) => FaultAction = () => "pass";
    const log: { method: string; url: string; action: FaultAction }[] = [];
    const stalled = new Set<http.ServerResponse>();
    let count = 0;
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            count += 1;
            const action = rule({ method: request.method ?? "GET", url: decodeURIComponent(request.url ?? "/"), number: count });
            log.push({ method: request.method ?? "GET", url: request.url ?? "/", action });
            if (action === "error") {
                const body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InternalError</Code><Message>injected by the fault proxy</Message></Error>";
                response.writeHead(500, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
                response.end(body);
                return;
            }
            if (action === "stall") {
                stalled.add(response);
                return;
            }
            const forward = http.request(
                { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
                (answer) => {
                    const body: Buffer[] = [];
                    answer.on("data", (chunk: Buffer) => body.push(chunk));
                    answer.on("end", () => {
                        if (action === "stall-after-write") {
                            stalled.add(response);
                            return;
                        }
                        response.writeHead(answer.statusCode ?? 502, answer.headers);
                        response.end(Buffer.concat(body));
                    });
                },
            );
            forward.on("error", (error) => {
                response.writeHead(502);
                response.end(String(error));
            });
            forward.end(Buffer.concat(chunks));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        log,
        setRule: (next) => {
            rule = next;
        },
        close: async () => {
            for (const response of stalled) {
                response.destroy();
            }
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
