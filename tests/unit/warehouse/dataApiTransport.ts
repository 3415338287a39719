import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { Readable } from "stream";

/** A request the client sent: the operation (from X-Amz-Target) and its decoded JSON input. */
export interface RecordedRequest {
    readonly operation: string;
    readonly input: Record<string, unknown>;
}

/** An error response in the Data API's JSON shape (`__type`, `message`). */
export class DataApiFault extends Error {
    constructor(
        readonly type: string,
        message: string,
    ) {
        super(message);
    }
}

export type Responder = (operation: string, input: Record<string, unknown>) => unknown | Promise<unknown>;

/**
 * A real `RedshiftDataClient` whose HTTP layer is replaced: every request is decoded, recorded and
 * answered by `respond`, so tests see the exact request shapes the SDK serializes and the SDK
 * parses real response shapes (AWS JSON 1.1).
 */
export function recordingDataApiClient(respond: Responder): { client: RedshiftDataClient; requests: RecordedRequest[] } {
    const requests: RecordedRequest[] = [];
    const client = new RedshiftDataClient({
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
        requestHandler: {
            handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
                const operation = String(request.headers["x-amz-target"] ?? "").replace(/^RedshiftData\./, "");
                const text = request.body === undefined ? "{}" : typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body as Uint8Array);
                const input = JSON.parse(text || "{}") as Record<string, unknown>;
                requests.push({ operation, input });
                let status = 200;
                let payload: unknown;
                try {
                    payload = await respond(operation, input);
                } catch (error) {
                    if (!(error instanceof DataApiFault)) {
                        throw error;
                    }
                    status = 400;
                    payload = { __type: error.type, message: error.message };
                }
                return {
                    response: {
                        statusCode: status,
                        headers: { "content-type": "application/x-amz-json-1.1" },
                        body: Readable.from([Buffer.from(JSON.stringify(payload ?? {}))]),
                    },
                };
            },
        } as unknown as RedshiftDataClient["config"]["requestHandler"],
    });
    return { client, requests };
}
