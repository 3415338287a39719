import { describeError } from "../../common/errors";
import { ApiConnectorError } from "./errors";
import { FetchFunction, requestWithRetry, RetryEnvironment, RetryPolicy } from "./retry";

/**
 * Authentication to the source API. The secret (a Secrets Manager secret holding JSON) is read
 * lazily on the first request and kept for the life of the container; it never travels in the
 * function's environment or closure.
 *
 * - `apiKey`: the secret's `apiKey` goes in the configured header (e.g. `X-Api-Key`, or
 *   `Authorization` with a `Bearer ` prefix).
 * - `oauth2ClientCredentials`: the secret's `clientId`/`clientSecret` are exchanged at
 *   `tokenUrl` (RFC 6749 §4.4, HTTP Basic client authentication) for a bearer token, reused until
 *   one minute before it expires.
 */
export type AuthConfig =
    | { readonly type: "apiKey"; readonly header: string; readonly prefix?: string }
    | { readonly type: "oauth2ClientCredentials"; readonly tokenUrl: string; readonly scope?: string };

/** Reads a secret's string value by ARN. */
export type SecretReader = (secretArn: string) => Promise<string>;

/** Secrets Manager `GetSecretValue`, with the SDK loaded on first use (see runtime/common/telemetry.ts). */
export function createSecretsManagerReader(options: { readonly region?: string; readonly endpoint?: string; readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } } = {}): SecretReader {
    let client: import("@aws-sdk/client-secrets-manager").SecretsManagerClient | undefined;
    return async (secretArn) => {
        const sdk = require("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager");
        client ??= new sdk.SecretsManagerClient({ region: options.region ?? process.env.AWS_REGION ?? "us-east-1", endpoint: options.endpoint, credentials: options.credentials });
        try {
            const response = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
            if (response.SecretString === undefined) {
                throw new ApiConnectorError(`secret ${secretArn} has no string value; store the credentials as JSON text`);
            }
            return response.SecretString;
        } catch (error) {
            if (error instanceof ApiConnectorError) {
                throw error;
            }
            throw new ApiConnectorError(`could not read secret ${secretArn}: ${describeError(error)}; check that it exists and that the connector's role may read it`, { cause: error });
        }
    };
}

/** The credentials a source's secret must hold, by auth type. */
function secretField(document: Record<string, unknown>, name: string, secretArn: string, type: string): string {
    const value = document[name];
    if (typeof value !== "string" || value === "") {
        throw new ApiConnectorError(`secret ${secretArn} must hold JSON with a non-empty string '${name}' for ${type} auth; found ${value === undefined ? "no such field" : typeof value}. Set it with: pulumi config set --secret <source key> '{"${name}": "..."}'`);
    }
    return value;
}

function parseSecret(text: string, secretArn: string): Record<string, unknown> {
    try {
        const value = JSON.parse(text) as unknown;
        if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            return value as Record<string, unknown>;
        }
    } catch {
        // reported below without echoing the secret
    }
    throw new ApiConnectorError(`secret ${secretArn} must be a JSON object (for example {"apiKey": "..."}); it is not`);
}

/** Headers for each request; caches the secret (and an OAuth2 token) per container. */
export interface Authenticator {
    headers(): Promise<Record<string, string>>;
}

export function createAuthenticator(
    auth: AuthConfig,
    secretArn: string,
    readSecret: SecretReader,
    fetchFn: FetchFunction,
    policy: RetryPolicy,
    env: RetryEnvironment,
): Authenticator {
    let secret: Promise<Record<string, unknown>> | undefined;
    let token: { readonly value: string; readonly expiresAtMs: number } | undefined;
    const loadSecret = () => {
        // A failed read is not cached, so the next run tries again.
        secret ??= readSecret(secretArn).then((text) => parseSecret(text, secretArn)).catch((error: unknown) => {
            secret = undefined;
            throw error;
        });
        return secret;
    };
    return {
        headers: async () => {
            const document = await loadSecret();
            if (auth.type === "apiKey") {
                return { [auth.header]: `${auth.prefix ?? ""}${secretField(document, "apiKey", secretArn, "apiKey")}` };
            }
            if (token === undefined || env.now() >= token.expiresAtMs) {
                const clientId = secretField(document, "clientId", secretArn, "oauth2ClientCredentials");
                const clientSecret = secretField(document, "clientSecret", secretArn, "oauth2ClientCredentials");
                const form = new URLSearchParams({ grant_type: "client_credentials", ...(auth.scope ? { scope: auth.scope } : {}) });
                const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
                const outcome = await requestWithRetry(
                    fetchFn,
                    { url: auth.tokenUrl, method: "POST", headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body: form.toString() },
                    policy,
                    env,
                );
                const body = (await outcome.response.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown } | undefined;
                if (typeof body?.access_token !== "string" || body.access_token === "") {
                    throw new ApiConnectorError(`token endpoint ${auth.tokenUrl} answered without an access_token; check auth.tokenUrl and the client's grants`);
                }
                const lifetimeS = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 300;
                token = { value: body.access_token, expiresAtMs: env.now() + Math.max(0, lifetimeS - 60) * 1000 };
            }
            return { authorization: `Bearer ${token.value}` };
        },
    };
}
