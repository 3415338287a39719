import type { KafkaConfig } from "kafkajs";
import { ConfigurationError, PlatformError } from "./errors";

/**
 * How every Kafka client of the platform (the producers, the produce CLI, the local event-source
 * runner) authenticates to the brokers, in one place, so the modes of the stack's `mskClientAuth`
 * mean the same thing everywhere:
 *
 * - `none`: no authentication (the local broker's plaintext listener); TLS only when asked for.
 * - `iam`: MSK IAM (SASL OAUTHBEARER with tokens signed by aws-msk-iam-sasl-signer-js), always TLS.
 * - `scram`: SASL/SCRAM-SHA-512 with a user name and password from Secrets Manager (deployed) or the
 *   environment (local), TLS unless turned off for the local broker's SASL_PLAINTEXT listener.
 * - `tls`: mutual TLS with a client certificate and key (PEM) issued by the cluster's private CA.
 */
export type KafkaClientAuth =
    | { readonly mode: "none"; readonly tls?: boolean }
    | { readonly mode: "iam"; readonly region: string }
    | { readonly mode: "scram"; readonly username: string; readonly password: string; readonly tls?: boolean }
    | { readonly mode: "tls"; readonly certificatePem: string; readonly privateKeyPem: string; readonly caPem?: string };

export const kafkaClientAuthModes = ["none", "iam", "scram", "tls"] as const;

/** The SASL mechanism name a mode uses, as brokers and error messages spell it. */
export function kafkaAuthMechanism(auth: KafkaClientAuth): string {
    return auth.mode === "iam" ? "SASL/OAUTHBEARER (MSK IAM)" : auth.mode === "scram" ? "SASL/SCRAM-SHA-512" : auth.mode === "tls" ? "mutual TLS" : "none";
}

/** The `ssl` and `sasl` settings of a kafkajs client for the mode. Pure apart from IAM's token callback. */
export function kafkaClientAuthConfig(auth: KafkaClientAuth): Pick<KafkaConfig, "ssl" | "sasl"> {
    switch (auth.mode) {
        case "none":
            return { ssl: auth.tls ?? false };
        case "iam":
            return {
                ssl: true,
                sasl: {
                    mechanism: "oauthbearer",
                    oauthBearerProvider: async () => {
                        const signer = require("aws-msk-iam-sasl-signer-js") as typeof import("aws-msk-iam-sasl-signer-js");
                        const { token } = await signer.generateAuthToken({ region: auth.region });
                        return { value: token };
                    },
                },
            };
        case "scram":
            if (auth.username.trim() === "" || auth.password === "") {
                throw new ConfigurationError(
                    "scram",
                    `SASL/SCRAM needs a user name and a password; found ${auth.username.trim() === "" ? "no user name" : "no password"}. Fix: set KAFKA_SCRAM_USERNAME and KAFKA_SCRAM_PASSWORD (local), or pass the AmazonMSK_ secret's ARN (deployed)`,
                );
            }
            return { ssl: auth.tls ?? true, sasl: { mechanism: "scram-sha-512", username: auth.username, password: auth.password } };
        case "tls":
            if (!auth.certificatePem.includes("BEGIN CERTIFICATE") || !auth.privateKeyPem.includes("PRIVATE KEY")) {
                throw new ConfigurationError("tls", "mutual TLS needs the client certificate and its private key in PEM form (-----BEGIN CERTIFICATE----- / -----BEGIN ... PRIVATE KEY-----); found something else. Fix: pass the files issued by the cluster's private CA");
            }
            return { ssl: { cert: auth.certificatePem, key: auth.privateKeyPem, ...(auth.caPem ? { ca: [auth.caPem] } : {}) } };
    }
}

/** The broker refused the client's credentials: names the brokers, the mechanism and the user. */
export class KafkaAuthenticationError extends PlatformError {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "KafkaAuthenticationError";
    }
}

/**
 * Turns kafkajs's SASL failure (a non-retriable `KafkaJSSASLAuthenticationError`, possibly wrapped
 * by the connection retrier) into one error that says who was refused where and what to check.
 * Returns undefined for any other error, so callers rethrow those as they are.
 */
export function kafkaAuthenticationError(error: unknown, brokers: readonly string[], auth: KafkaClientAuth): KafkaAuthenticationError | undefined {
    let current: unknown = error;
    for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
        if (current.name === "KafkaJSSASLAuthenticationError" || /SASL .* authentication failed/i.test(current.message)) {
            const who = auth.mode === "scram" ? ` for user '${auth.username}'` : "";
            const fix =
                auth.mode === "scram"
                    ? "check the user name and password (KAFKA_SCRAM_USERNAME / KAFKA_SCRAM_PASSWORD locally, the AmazonMSK_ secret associated with the cluster when deployed)"
                    : auth.mode === "iam"
                      ? "check that the AWS credentials' role has kafka-cluster:Connect on the cluster"
                      : "check the client's credentials";
            return new KafkaAuthenticationError(`Kafka at ${brokers.join(",")} refused ${kafkaAuthMechanism(auth)} authentication${who}: ${current.message}. Fix: ${fix}`, { cause: error });
        }
        current = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    }
    return undefined;
}

/**
 * SCRAM credentials from the environment (`KAFKA_SCRAM_USERNAME`, `KAFKA_SCRAM_PASSWORD`), for
 * local runs; undefined when neither is set, an error naming the missing one when only one is.
 */
export function scramCredentialsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): { username: string; password: string } | undefined {
    const username = env.KAFKA_SCRAM_USERNAME?.trim() ?? "";
    const password = env.KAFKA_SCRAM_PASSWORD ?? "";
    if (username === "" && password === "") {
        return undefined;
    }
    if (username === "" || password === "") {
        const missing = username === "" ? "KAFKA_SCRAM_USERNAME" : "KAFKA_SCRAM_PASSWORD";
        throw new ConfigurationError(missing, `${missing} must be set together with ${missing === "KAFKA_SCRAM_USERNAME" ? "KAFKA_SCRAM_PASSWORD" : "KAFKA_SCRAM_USERNAME"}; found it empty. Fix: export ${missing}=...`);
    }
    return { username, password };
}

/**
 * SCRAM credentials from the Secrets Manager secret associated with the cluster (an
 * `AmazonMSK_`-prefixed secret whose value is `{"username": ..., "password": ...}`), read with the
 * default AWS credential chain.
 */
export async function scramCredentialsFromSecret(
    secretId: string,
    region: string,
    client?: Pick<import("@aws-sdk/client-secrets-manager").SecretsManagerClient, "send">,
): Promise<{ username: string; password: string }> {
    const sdk = require("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager");
    const secrets = client ?? new sdk.SecretsManagerClient({ region });
    const answer = await secrets.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    let value: unknown;
    try {
        value = JSON.parse(answer.SecretString ?? "");
    } catch (error) {
        throw new ConfigurationError("scramSecret", `the secret ${secretId} must hold JSON {"username": ..., "password": ...}; found no JSON string. Fix: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '{"username":"...","password":"..."}'`, { cause: error });
    }
    const record = value as { username?: unknown; password?: unknown } | null;
    if (typeof record?.username !== "string" || typeof record.password !== "string" || record.username === "" || record.password === "") {
        throw new ConfigurationError("scramSecret", `the secret ${secretId} must hold JSON with non-empty string fields username and password, as MSK SCRAM requires; found fields ${record && typeof record === "object" ? Object.keys(record).join(", ") || "none" : "none"}. Fix: put a value of that shape`);
    }
    return { username: record.username, password: record.password };
}
