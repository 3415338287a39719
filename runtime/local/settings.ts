import { ConfigurationError, PlatformError } from "../common/errors";
import { Environment, getIntegerFromEnv, getOptionalStringFromEnv, getStringFromEnv } from "../common/env";

/**
 * The one set of settings for the local stand-ins (moto, the Kafka broker, PostgreSQL), read by the
 * service scripts (tools/services/*.sh), `npm run local`, the local pipeline, the producer CLI, the
 * benchmarks and the integration tests, so any free ports work everywhere.
 *
 * The source of truth is the ports the service scripts listen on:
 *   MOTO_PORT (5055)   KAFKA_PORT (9092)   KAFKA_CONTROLLER_PORT (9093)   PGPORT (55432)   PGDATABASE (etl_test)
 *   KAFKA_SCRAM_PORT (KAFKA_CONTROLLER_PORT + 1: the broker's SASL/SCRAM-SHA-512 listener, user
 *   KAFKA_SCRAM_USERNAME / KAFKA_SCRAM_PASSWORD, defaults platform-local / platform-local-secret)
 * Endpoints are derived from them. One precedence rule: an explicit endpoint variable
 * (MOTO_ENDPOINT, KAFKA_BROKERS) wins over the one derived from the port, for a service that runs
 * elsewhere than on this machine's loopback.
 */
export interface LocalSettings {
    readonly motoPort: number;
    /** S3, Kinesis and the other AWS APIs, for example http://127.0.0.1:5055. */
    readonly motoEndpoint: string;
    readonly kafkaPort: number;
    readonly kafkaControllerPort: number;
    /** The local broker's SASL/SCRAM-SHA-512 listener (SASL_PLAINTEXT) and its user; tools/services/kafka.sh creates both. */
    readonly kafkaScram: { readonly brokers: readonly string[]; readonly username: string; readonly password: string };
    /** Bootstrap brokers, for example ["127.0.0.1:9092"]. */
    readonly kafkaBrokers: readonly string[];
    readonly pgPort: number;
    readonly pgDatabase: string;
    /** postgres://postgres@127.0.0.1:55432/etl_test (trust authentication, loopback only). */
    readonly postgresUrl: string;
    readonly region: string;
    /** moto accepts any credentials; these are never real ones. */
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export const localDefaults = { motoPort: 5055, kafkaPort: 9092, kafkaControllerPort: 9093, pgPort: 55432, pgDatabase: "etl_test" } as const;

/** The local broker's SCRAM user, like moto's test credentials never a real one (tools/services/kafka.sh uses the same defaults). */
export const localScramDefaults = { username: "platform-local", password: "platform-local-secret" } as const;

/** How to start each service, for error messages that tell a newcomer what to run. */
export const serviceStartCommands = {
    moto: "tools/services/moto.sh start",
    kafka: "tools/services/kafka.sh start",
    postgres: "tools/services/postgres.sh start",
} as const;

export type LocalService = keyof typeof serviceStartCommands;

function port(key: string, defaultValue: number, env: Environment): number {
    return getIntegerFromEnv({ key, env, defaultValue, min: 1, max: 65_535 });
}

export function readLocalSettings(env: Environment = process.env): LocalSettings {
    const motoPort = port("MOTO_PORT", localDefaults.motoPort, env);
    const kafkaPort = port("KAFKA_PORT", localDefaults.kafkaPort, env);
    const kafkaControllerPort = port("KAFKA_CONTROLLER_PORT", localDefaults.kafkaControllerPort, env);
    const pgPort = port("PGPORT", localDefaults.pgPort, env);
    if (kafkaControllerPort === kafkaPort) {
        throw new ConfigurationError("KAFKA_CONTROLLER_PORT", `KAFKA_CONTROLLER_PORT must differ from KAFKA_PORT, found both ${kafkaPort}; set KAFKA_CONTROLLER_PORT=${kafkaPort + 1}`);
    }
    const motoEndpoint = getOptionalStringFromEnv({ key: "MOTO_ENDPOINT", env }) ?? `http://127.0.0.1:${motoPort}`;
    if (!/^https?:\/\/[^/\s]+(:\d+)?\/?$/.test(motoEndpoint)) {
        throw new ConfigurationError("MOTO_ENDPOINT", `MOTO_ENDPOINT must be an http(s) URL without a path, found '${motoEndpoint}'; unset it to use http://127.0.0.1:$MOTO_PORT, or set for example MOTO_ENDPOINT=http://127.0.0.1:${motoPort}`);
    }
    const brokersText = getOptionalStringFromEnv({ key: "KAFKA_BROKERS", env }) ?? `127.0.0.1:${kafkaPort}`;
    const kafkaBrokers = brokersText.split(",").map((broker) => broker.trim());
    if (kafkaBrokers.some((broker) => !/^[^\s:,]+:\d+$/.test(broker))) {
        throw new ConfigurationError("KAFKA_BROKERS", `KAFKA_BROKERS must be a comma-separated list of host:port, found '${brokersText}'; unset it to use 127.0.0.1:$KAFKA_PORT, or set for example KAFKA_BROKERS=127.0.0.1:${kafkaPort}`);
    }
    const pgDatabase = getStringFromEnv({ key: "PGDATABASE", env, defaultValue: localDefaults.pgDatabase });
    const kafkaScramPort = port("KAFKA_SCRAM_PORT", kafkaControllerPort + 1, env);
    const kafkaScram = {
        brokers: [`127.0.0.1:${kafkaScramPort}`],
        username: getStringFromEnv({ key: "KAFKA_SCRAM_USERNAME", env, defaultValue: localScramDefaults.username }),
        password: getStringFromEnv({ key: "KAFKA_SCRAM_PASSWORD", env, defaultValue: localScramDefaults.password }),
    };
    return {
        motoPort,
        motoEndpoint: motoEndpoint.replace(/\/$/, ""),
        kafkaPort,
        kafkaControllerPort,
        kafkaScram,
        kafkaBrokers,
        pgPort,
        pgDatabase,
        postgresUrl: `postgres://postgres@127.0.0.1:${pgPort}/${pgDatabase}`,
        region: getStringFromEnv({ key: "AWS_REGION", env, defaultValue: "us-east-1" }),
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
    };
}

/** The environment a child process (a service script, the Spark job) needs to agree on the same ports. */
export function localServiceEnv(settings: LocalSettings): Record<string, string> {
    return {
        MOTO_PORT: String(settings.motoPort),
        KAFKA_PORT: String(settings.kafkaPort),
        KAFKA_CONTROLLER_PORT: String(settings.kafkaControllerPort),
        PGPORT: String(settings.pgPort),
        PGDATABASE: settings.pgDatabase,
    };
}

/** The address of a service, as shown in messages. */
export function serviceAddress(settings: LocalSettings, service: LocalService): string {
    return service === "moto" ? settings.motoEndpoint : service === "kafka" ? settings.kafkaBrokers.join(",") : `127.0.0.1:${settings.pgPort}`;
}

/**
 * One line for a service that cannot be reached: which service, where it was looked for, and the
 * command that starts it on the same port.
 */
export function unreachableMessage(settings: LocalSettings, service: LocalService, detail?: string): string {
    const portVariable = service === "moto" ? `MOTO_PORT=${settings.motoPort}` : service === "kafka" ? `KAFKA_PORT=${settings.kafkaPort} KAFKA_CONTROLLER_PORT=${settings.kafkaControllerPort}` : `PGPORT=${settings.pgPort}`;
    const name = service === "moto" ? "moto (local S3/Kinesis)" : service === "kafka" ? "Kafka" : "PostgreSQL";
    return `${name} is not reachable at ${serviceAddress(settings, service)}${detail ? ` (${detail})` : ""}; start it with: ${portVariable} ${serviceStartCommands[service]} (or run npm run local, which starts every service)`;
}

/** Whether a TCP connection to host:port (or an http URL's host and port) opens within the timeout. */
export function isReachable(address: string, timeoutMs = 2000): Promise<boolean> {
    const net = require("net") as typeof import("net");
    const match = /^(?:https?:\/\/)?([^:/]+):(\d+)/.exec(address);
    if (!match) {
        return Promise.resolve(false);
    }
    return new Promise((resolve) => {
        const socket = net.connect({ host: match[1], port: Number(match[2]) }, () => {
            socket.destroy();
            resolve(true);
        });
        socket.on("error", () => resolve(false));
        socket.setTimeout(timeoutMs, () => {
            socket.destroy();
            resolve(false);
        });
    });
}

/** Resolves when the service answers; otherwise throws the one-line message naming the start command. */
export async function requireService(settings: LocalSettings, service: LocalService): Promise<void> {
    const address = service === "kafka" ? settings.kafkaBrokers[0] ?? "" : serviceAddress(settings, service);
    if (!(await isReachable(address))) {
        throw new ServiceUnreachableError(service, unreachableMessage(settings, service));
    }
}

export class ServiceUnreachableError extends PlatformError {
    constructor(readonly service: LocalService, message: string) {
        super(message);
        this.name = "ServiceUnreachableError";
    }
}
