/**
 * An HTTP/1.1 request handler for AWS SDK v3 clients. The Kinesis client speaks HTTP/2 by default,
 * which local stand-ins such as moto do not; clients pointed at a custom endpoint use this one.
 * `@smithy/node-http-handler` is the SDK's own handler package (a dependency of every client).
 */
export function createHttp1RequestHandler(options: { readonly requestTimeoutMs?: number } = {}): unknown {
    const { NodeHttpHandler } = require("@smithy/node-http-handler") as { NodeHttpHandler: new (options: Record<string, unknown>) => unknown };
    return new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 30_000 });
}
