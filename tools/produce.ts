/**
 * Produces realistic `orders` records into Kafka or Kinesis.
 *
 *   npm run produce -- --engine msk --count 10000 --rate 2000 --brokers 127.0.0.1:9092 --topic orders --bad-ratio 0.05 --seed 1
 *   npm run produce -- --engine kinesis --count 1000 --stream orders --endpoint http://127.0.0.1:5055 --create-stream 2
 *
 * Before producing it checks that the brokers or the endpoint answer and that the stream exists, so
 * a missing service is one line naming it and the command that starts it, not a client's retries.
 *
 * Shows a progress bar on a terminal and prints one JSON summary line at the end.
 */
import { isReachable, LocalSettings, localDefaults, readLocalSettings, unreachableMessage } from "../runtime/local/settings";
import { ConfigurationError } from "../runtime/common/errors";
import { KafkaClientAuth, scramCredentialsFromEnv, scramCredentialsFromSecret } from "../runtime/common/kafkaAuth";
import { createKafkaProducer, createKinesisProducer, createOrderGenerator, ensureKafkaTopic, ensureKinesisStream, KafkaProduceError, kafkaTopicExists, RecordProducer } from "../runtime/producers";

export interface ProduceOptions {
    readonly engine: "msk" | "kinesis";
    readonly count: number;
    /** Messages per second; 0 sends as fast as the stream accepts. */
    readonly rate: number;
    readonly brokers: readonly string[];
    readonly topic: string;
    readonly stream: string;
    readonly endpoint?: string;
    readonly region: string;
    readonly badRatio: number;
    readonly seed: number;
    readonly batchSize: number;
    readonly tls: boolean;
    readonly mskIam: boolean;
    /**
     * SASL/SCRAM-SHA-512: credentials from the environment (`--scram`, KAFKA_SCRAM_USERNAME and
     * KAFKA_SCRAM_PASSWORD) or from the cluster's AmazonMSK_ secret (`--scram-secret ARN`, always TLS).
     */
    readonly scram?: { readonly source: "env"; readonly username: string; readonly password: string } | { readonly source: "secret"; readonly secretArn: string };
    /** Mutual TLS: PEM files of the client certificate (chain), its private key and optionally the brokers' CA. Implies TLS. */
    readonly clientCertificate?: { readonly certificatePath: string; readonly privateKeyPath: string; readonly caPath?: string };
    readonly startTimeMs?: number;
    readonly progress: boolean;
    /** Create the Kafka topic with this many partitions when it is missing. */
    readonly createTopicPartitions?: number;
    /** Create the Kinesis stream with this many shards when it is missing (local endpoints only). */
    readonly createStreamShards?: number;
    /** Static credentials for Kinesis: the local stand-in's test pair when the endpoint is local and none are set. */
    readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const usage = `usage: npm run produce -- --engine msk|kinesis [options]

  --engine msk|kinesis   where to produce (required)
  --count N                messages to produce (default 1000)
  --rate N                 messages per second, 0 = unthrottled (default 0)
  --brokers H:P[,H:P]      brokers (default $KAFKA_BROKERS or 127.0.0.1:$KAFKA_PORT)
  --topic NAME             Kafka topic (default orders)
  --tls                    Kafka over TLS
  --msk-iam                Kafka with MSK IAM auth (implies --tls)
  --scram                  Kafka with SASL/SCRAM-SHA-512, user and password from $KAFKA_SCRAM_USERNAME and
                           $KAFKA_SCRAM_PASSWORD (TLS only with --tls: the local broker's SCRAM listener is plaintext)
  --scram-secret ARN       Kafka with SASL/SCRAM-SHA-512, credentials from the cluster's AmazonMSK_ secret
                           in Secrets Manager (default AWS credential chain; implies --tls)
  --client-cert FILE       Kafka with mutual TLS: the client certificate chain (PEM) issued by the cluster's
                           private CA; needs --client-key FILE (PEM private key); --ca-cert FILE for a private
                           broker CA (implies --tls)
  --create-topic N         create the Kafka topic with N partitions if it is missing
  --stream NAME            Kinesis stream (default orders)
  --endpoint URL           Kinesis endpoint, e.g. moto http://127.0.0.1:$MOTO_PORT (default AWS)
  --create-stream N        create the Kinesis stream with N shards if it is missing (local endpoint only)
  --region NAME            AWS region (default $AWS_REGION or us-east-1)
  --bad-ratio R            share of defective records, 0..1 (default 0)
  --seed N                 generator seed (default 1)
  --batch-size N           messages per request, 1..500 (default 500)
  --start-time ISO         event time of the first order (default: now minus the run's length)
  --no-progress            no progress bar

Against a local endpoint (127.0.0.1, localhost or $MOTO_ENDPOINT) Kinesis uses moto's test credentials
unless AWS_ACCESS_KEY_ID is set; against AWS it uses the default credential chain.
Stdout carries only the JSON summary; progress and notes go to stderr.
`;

type FlagKind = "value" | "switch";
const flags: Readonly<Record<string, FlagKind>> = {
    "--engine": "value",
    "--count": "value",
    "--rate": "value",
    "--brokers": "value",
    "--topic": "value",
    "--stream": "value",
    "--endpoint": "value",
    "--region": "value",
    "--bad-ratio": "value",
    "--seed": "value",
    "--batch-size": "value",
    "--start-time": "value",
    "--create-topic": "value",
    "--create-stream": "value",
    "--tls": "switch",
    "--msk-iam": "switch",
    "--scram": "switch",
    "--scram-secret": "value",
    "--client-cert": "value",
    "--client-key": "value",
    "--ca-cert": "value",
    "--no-progress": "switch",
    "--help": "switch",
};

function flagError(flag: string, expected: string, found: string, fix: string): ConfigurationError {
    return new ConfigurationError(flag, `${flag}: expected ${expected}, found ${found}; ${fix}`);
}

function integerFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number, example: string): number {
    if (text === undefined) {
        return fallback;
    }
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
        throw flagError(flag, `an integer from ${min} to ${max}`, `'${text}'`, `pass for example ${flag} ${example}`);
    }
    return Number(text);
}

/** Parses the command line (without `node` and the script). Throws a `ConfigurationError` naming the flag. */
export function parseProduceArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): ProduceOptions | "help" {
    const values = new Map<string, string>();
    const switches = new Set<string>();
    for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i] as string;
        const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        const kind = flags[name];
        if (kind === undefined) {
            throw flagError(name, `one of ${Object.keys(flags).join(", ")}`, `'${arg}'`, "remove it or fix its spelling (see --help)");
        }
        if (kind === "switch") {
            switches.add(name);
            continue;
        }
        const value = inline ?? argv[i + 1];
        if (value === undefined || (inline === undefined && value.startsWith("--"))) {
            throw flagError(name, "a value", "nothing", `write it as ${name} <value>`);
        }
        if (inline === undefined) {
            i += 1;
        }
        values.set(name, value);
    }
    if (switches.has("--help")) {
        return "help";
    }
    const engine = values.get("--engine");
    if (engine !== "msk" && engine !== "kinesis") {
        throw flagError("--engine", "msk or kinesis", engine === undefined ? "nothing" : `'${engine}'`, "pass --engine msk or --engine kinesis");
    }
    const rateText = values.get("--rate");
    const rate = rateText === undefined ? 0 : Number(rateText);
    if (rateText !== undefined && (!/^\d+(\.\d+)?$/.test(rateText) || !Number.isFinite(rate))) {
        throw flagError("--rate", "a non-negative number of messages per second", `'${rateText}'`, "pass for example --rate 500 (0 = unthrottled)");
    }
    const badText = values.get("--bad-ratio");
    const badRatio = badText === undefined ? 0 : Number(badText);
    if (badText !== undefined && (!/^\d*(\.\d+)?$/.test(badText) || !(badRatio >= 0 && badRatio <= 1))) {
        throw flagError("--bad-ratio", "a number from 0 to 1", `'${badText}'`, "pass for example --bad-ratio 0.05 for 5 % defective records");
    }
    // The local settings' precedence: KAFKA_BROKERS, else 127.0.0.1:$KAFKA_PORT (runtime/local/settings.ts).
    const brokersText = values.get("--brokers") ?? env.KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT?.trim() || localDefaults.kafkaPort}`;
    const brokers = brokersText.split(",").map((broker) => broker.trim());
    if (brokers.some((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker))) {
        throw flagError("--brokers", "a comma-separated list of host:port", `'${brokersText}'`, "pass for example --brokers 127.0.0.1:9092");
    }
    const startText = values.get("--start-time");
    const startTimeMs = startText === undefined ? undefined : Date.parse(startText);
    if (startTimeMs !== undefined && !Number.isFinite(startTimeMs)) {
        throw flagError("--start-time", "an ISO-8601 time such as 2024-05-01T00:00:00Z", `'${startText}'`, "pass a valid time or leave the flag out");
    }
    const endpoint = values.get("--endpoint") ?? env.KINESIS_ENDPOINT;
    if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
        throw flagError("--endpoint", "an http(s) URL", `'${endpoint}'`, "pass for example --endpoint http://127.0.0.1:5055");
    }
    if (engine === "msk" && values.has("--create-stream")) {
        throw flagError("--create-stream", "only with --engine kinesis", "--engine msk", "use --create-topic N for a Kafka topic");
    }
    const local = endpoint !== undefined && isLocalEndpoint(endpoint, env);
    if (values.has("--create-stream") && !local) {
        throw flagError(
            "--create-stream",
            "a local --endpoint (127.0.0.1, localhost or $MOTO_ENDPOINT)",
            endpoint === undefined ? "no --endpoint (AWS)" : `'${endpoint}'`,
            "on AWS the stack creates the stream (pulumi up); locally pass --endpoint http://127.0.0.1:$MOTO_PORT",
        );
    }
    if (engine === "kinesis" && (switches.has("--tls") || switches.has("--msk-iam") || values.has("--create-topic"))) {
        const flag = switches.has("--tls") ? "--tls" : switches.has("--msk-iam") ? "--msk-iam" : "--create-topic";
        throw flagError(flag, "only with --engine msk", "--engine kinesis", "remove the flag or produce to Kafka");
    }
    const scram = parseScram(engine, switches, values, env);
    const clientCertificate = parseClientCertificate(engine, switches, values, scram !== undefined);
    const createTopicText = values.get("--create-topic");
    const createStreamText = values.get("--create-stream");
    // A local stand-in takes any credentials; real ones set in the environment still win.
    const credentials = engine === "kinesis" && local && !env.AWS_ACCESS_KEY_ID ? readLocalSettingsOrDefaults(env).credentials : undefined;
    return {
        engine,
        count: integerFlag("--count", values.get("--count"), 1000, 1, 100_000_000, "10000"),
        rate,
        brokers,
        topic: values.get("--topic") ?? "orders",
        stream: values.get("--stream") ?? "orders",
        ...(endpoint !== undefined ? { endpoint } : {}),
        region: values.get("--region") ?? env.AWS_REGION ?? "us-east-1",
        badRatio,
        seed: integerFlag("--seed", values.get("--seed"), 1, 0, 4_294_967_295, "42"),
        batchSize: integerFlag("--batch-size", values.get("--batch-size"), 500, 1, 500, "500"),
        tls: switches.has("--tls") || switches.has("--msk-iam") || scram?.source === "secret" || clientCertificate !== undefined,
        mskIam: switches.has("--msk-iam"),
        ...(scram !== undefined ? { scram } : {}),
        ...(clientCertificate !== undefined ? { clientCertificate } : {}),
        ...(startTimeMs !== undefined ? { startTimeMs } : {}),
        progress: !switches.has("--no-progress"),
        ...(createTopicText !== undefined ? { createTopicPartitions: integerFlag("--create-topic", createTopicText, 1, 1, 10_000, "3") } : {}),
        ...(createStreamText !== undefined ? { createStreamShards: integerFlag("--create-stream", createStreamText, 1, 1, 500, "2") } : {}),
        ...(credentials !== undefined ? { credentials } : {}),
    };
}

/** `--scram` / `--scram-secret`: one authentication at most, Kafka only, credentials never on the command line. */
function parseScram(engine: "msk" | "kinesis", switches: ReadonlySet<string>, values: ReadonlyMap<string, string>, env: Readonly<Record<string, string | undefined>>): ProduceOptions["scram"] {
    const secretArn = values.get("--scram-secret");
    if (!switches.has("--scram") && secretArn === undefined) {
        return undefined;
    }
    const flag = secretArn !== undefined ? "--scram-secret" : "--scram";
    if (engine === "kinesis") {
        throw flagError(flag, "only with --engine msk", "--engine kinesis", "remove the flag or produce to Kafka");
    }
    if (switches.has("--msk-iam") || (switches.has("--scram") && secretArn !== undefined)) {
        throw flagError(flag, "one authentication: --msk-iam, --scram or --scram-secret", [switches.has("--msk-iam") ? "--msk-iam" : "", switches.has("--scram") ? "--scram" : "", secretArn !== undefined ? "--scram-secret" : ""].filter(Boolean).join(" and "), "keep the one the cluster's mskClientAuth allows");
    }
    if (secretArn !== undefined) {
        if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:AmazonMSK_[A-Za-z0-9/_+=.@-]+$/.test(secretArn)) {
            throw flagError("--scram-secret", "the ARN of a Secrets Manager secret whose name starts with AmazonMSK_ (arn:aws:secretsmanager:<region>:<account>:secret:AmazonMSK_...)", `'${secretArn}'`, "pass the ARN of a secret associated with the cluster (pulumi stack output mskScramSecretArns)");
        }
        return { source: "secret", secretArn };
    }
    const credentials = scramCredentialsFromEnv(env);
    if (credentials === undefined) {
        throw flagError("--scram", "KAFKA_SCRAM_USERNAME and KAFKA_SCRAM_PASSWORD in the environment", "neither", "export them (the local broker's user: see tools/services/kafka.sh), or pass --scram-secret <ARN> against MSK");
    }
    return { source: "env", ...credentials };
}

/** `--client-cert` / `--client-key` / `--ca-cert`: mutual TLS, Kafka only, certificate and key together, no other authentication. */
function parseClientCertificate(engine: "msk" | "kinesis", switches: ReadonlySet<string>, values: ReadonlyMap<string, string>, scram: boolean): ProduceOptions["clientCertificate"] {
    const certificatePath = values.get("--client-cert");
    const privateKeyPath = values.get("--client-key");
    const caPath = values.get("--ca-cert");
    if (certificatePath === undefined && privateKeyPath === undefined && caPath === undefined) {
        return undefined;
    }
    const flag = certificatePath !== undefined ? "--client-cert" : privateKeyPath !== undefined ? "--client-key" : "--ca-cert";
    if (engine === "kinesis") {
        throw flagError(flag, "only with --engine msk", "--engine kinesis", "remove the flag or produce to Kafka");
    }
    if (certificatePath === undefined || privateKeyPath === undefined) {
        throw flagError(flag, "--client-cert and --client-key together (mutual TLS needs the certificate and its key)", certificatePath === undefined ? "no --client-cert" : "no --client-key", "pass both PEM files issued by the cluster's private CA");
    }
    if (switches.has("--msk-iam") || scram) {
        throw flagError("--client-cert", "one authentication: --msk-iam, --scram, --scram-secret or --client-cert", switches.has("--msk-iam") ? "--msk-iam as well" : "SASL/SCRAM as well", "keep the one the cluster's mskClientAuth allows");
    }
    return { certificatePath, privateKeyPath, ...(caPath !== undefined ? { caPath } : {}) };
}

/** Reads a PEM file named by a flag, naming the flag when it cannot. */
function readPem(flag: string, file: string): string {
    const fs = require("fs") as typeof import("fs");
    try {
        return fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new ConfigurationError(flag, `${flag}: expected a readable PEM file, found '${file}' (${(error as Error).message}); pass the path of the file`, { cause: error });
    }
}

/** The client authentication of the options; a `--scram-secret` is read from Secrets Manager here. */
export async function resolveProduceAuth(options: ProduceOptions, readSecret: typeof scramCredentialsFromSecret = scramCredentialsFromSecret): Promise<KafkaClientAuth> {
    if (options.mskIam) {
        return { mode: "iam", region: options.region };
    }
    if (options.scram?.source === "secret") {
        return { mode: "scram", ...(await readSecret(options.scram.secretArn, options.region)), tls: true };
    }
    if (options.clientCertificate) {
        const { certificatePath, privateKeyPath, caPath } = options.clientCertificate;
        return { mode: "tls", certificatePem: readPem("--client-cert", certificatePath), privateKeyPem: readPem("--client-key", privateKeyPath), ...(caPath !== undefined ? { caPem: readPem("--ca-cert", caPath) } : {}) };
    }
    if (options.scram?.source === "env") {
        return { mode: "scram", username: options.scram.username, password: options.scram.password, tls: options.tls };
    }
    return { mode: "none", tls: options.tls };
}

/** The local settings, or their defaults when the environment's service variables are invalid (those are reported where they are used). */
function readLocalSettingsOrDefaults(env: Readonly<Record<string, string | undefined>>): LocalSettings {
    try {
        return readLocalSettings(env);
    } catch {
        return readLocalSettings({});
    }
}

/** Whether an endpoint is this machine (loopback) or the configured local stand-in ($MOTO_ENDPOINT). */
export function isLocalEndpoint(endpoint: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
    let host: string;
    try {
        host = new URL(endpoint).hostname;
    } catch {
        return false;
    }
    if (host === "localhost" || host === "[::1]" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host)) {
        return true;
    }
    return env.MOTO_ENDPOINT !== undefined && endpoint.replace(/\/$/, "") === env.MOTO_ENDPOINT.replace(/\/$/, "");
}

/**
 * The one line to print when the target cannot be reached: which service, where, and how to start
 * it (on the port it was looked for) when it is one of the local stand-ins.
 */
export function unreachableTargetMessage(options: ProduceOptions, env: Readonly<Record<string, string | undefined>> = process.env): string {
    const settings = readLocalSettingsOrDefaults(env);
    if (options.engine === "msk") {
        const [host, portText] = (options.brokers[0] as string).split(":") as [string, string];
        const local = options.brokers.every((broker) => isLocalEndpoint(`tcp://${broker}`, {})) || options.brokers.join(",") === env.KAFKA_BROKERS?.replace(/\s/g, "");
        if (!local) {
            return `Kafka is not reachable at ${options.brokers.join(",")} (${host}); check --brokers and that this machine can reach them (MSK brokers are private to their VPC: run from inside it or through a tunnel)`;
        }
        const kafkaPort = Number(portText);
        const kafkaControllerPort = settings.kafkaControllerPort === kafkaPort ? kafkaPort + 1 : settings.kafkaControllerPort;
        return unreachableMessage({ ...settings, kafkaPort, kafkaControllerPort, kafkaBrokers: options.brokers }, "kafka");
    }
    const endpoint = options.endpoint as string;
    if (!isLocalEndpoint(endpoint, env)) {
        return `the Kinesis endpoint ${endpoint} is not reachable; check --endpoint (leave it out to use AWS)`;
    }
    const url = new URL(endpoint);
    const motoPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    return unreachableMessage({ ...settings, motoPort, motoEndpoint: endpoint.replace(/\/$/, "") }, "moto");
}

/** A target that does not answer, as its one-line message; nothing to report for AWS itself. */
export class TargetUnreachableError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TargetUnreachableError";
    }
}

/**
 * Checks with a plain TCP connection that the brokers (any of them) or the Kinesis endpoint answer,
 * before any client starts retrying. Kinesis on AWS (no --endpoint) is not checked.
 */
export async function checkTargetReachable(
    options: ProduceOptions,
    env: Readonly<Record<string, string | undefined>> = process.env,
    reachable: (address: string) => Promise<boolean> = (address) => isReachable(address),
): Promise<void> {
    const addresses = options.engine === "msk" ? options.brokers : options.endpoint !== undefined ? [endpointAddress(options.endpoint)] : [];
    if (addresses.length === 0) {
        return;
    }
    const answers = await Promise.all(addresses.map((address) => reachable(address)));
    if (!answers.some(Boolean)) {
        throw new TargetUnreachableError(unreachableTargetMessage(options, env));
    }
}

/** host:port of an http(s) URL, with the scheme's port when it has none. */
function endpointAddress(endpoint: string): string {
    const url = new URL(endpoint);
    return `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
}

function createProducer(options: ProduceOptions, auth: KafkaClientAuth): RecordProducer {
    if (options.engine === "msk") {
        return createKafkaProducer({ brokers: options.brokers, topic: options.topic, auth, maxBatchMessages: options.batchSize });
    }
    return createKinesisProducer({
        streamName: options.stream,
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
    });
}

/** Produces `count` orders at `rate`; returns the summary that is printed. `note` gets what was set up (a created topic or stream). */
export async function produce(options: ProduceOptions, onProgress: (sent: number) => void = () => undefined, note: (line: string) => void = () => undefined) {
    const intervalMs = options.rate > 0 ? 1000 / options.rate : 10;
    const generator = createOrderGenerator({
        seed: options.seed,
        badRatio: options.badRatio,
        startTimeMs: options.startTimeMs ?? Date.now() - Math.ceil(options.count * intervalMs) - 60_000,
        intervalMs,
    });
    const auth = options.engine === "msk" ? await resolveProduceAuth(options) : ({ mode: "none" } as const);
    if (options.engine === "msk" && options.createTopicPartitions !== undefined) {
        const created = await ensureKafkaTopic({ brokers: options.brokers, topic: options.topic, auth }, options.createTopicPartitions);
        if (created) {
            note(`created Kafka topic '${options.topic}' with ${options.createTopicPartitions} partitions on ${options.brokers.join(",")}`);
        }
    }
    if (options.engine === "msk" && options.createTopicPartitions === undefined && !options.mskIam) {
        // Checked first so a missing topic is one clear error, not a minute of metadata retries. (With
        // MSK IAM the producer's role may not be allowed to describe topics, so it is left to the send.)
        if (!(await kafkaTopicExists({ brokers: options.brokers, topic: options.topic, auth }))) {
            throw new KafkaProduceError(`Kafka topic '${options.topic}' does not exist on ${options.brokers.join(",")}; pass --create-topic <partitions> (for example --create-topic 3) to create it`);
        }
    }
    if (options.engine === "kinesis") {
        // Checked first so a missing stream is one clear error, not eight retried PutRecords calls.
        const outcome = await ensureKinesisStream({
            streamName: options.stream,
            region: options.region,
            ...(options.endpoint ? { endpoint: options.endpoint } : {}),
            ...(options.credentials ? { credentials: options.credentials } : {}),
            ...(options.createStreamShards !== undefined ? { createShards: options.createStreamShards } : {}),
        });
        if (outcome === "created") {
            note(`created Kinesis stream '${options.stream}' with ${options.createStreamShards} shards at ${options.endpoint}`);
        }
    }
    const producer = createProducer(options, auth);
    const chunkSize = options.rate > 0 ? Math.max(1, Math.min(options.batchSize, Math.ceil(options.rate / 10))) : options.batchSize;
    const started = Date.now();
    let sent = 0;
    let bad = 0;
    let requests = 0;
    let retried = 0;
    try {
        while (sent < options.count) {
            const chunk = generator.take(Math.min(chunkSize, options.count - sent));
            bad += chunk.filter((message) => message.defect !== null).length;
            const report = await producer.send(chunk);
            sent += report.sent;
            requests += report.requests;
            retried += report.retried;
            onProgress(sent);
            if (options.rate > 0) {
                const due = started + (sent / options.rate) * 1000;
                const wait = due - Date.now();
                if (wait > 0) {
                    await new Promise((resolve) => setTimeout(resolve, wait));
                }
            }
        }
    } finally {
        await producer.close();
    }
    const seconds = (Date.now() - started) / 1000;
    return {
        engine: options.engine,
        target: options.engine === "msk" ? options.topic : options.stream,
        sent,
        bad,
        requests,
        retried,
        seconds: Math.round(seconds * 1000) / 1000,
        messagesPerSecond: Math.round(sent / Math.max(seconds, 0.001)),
    };
}

async function main(): Promise<void> {
    const parsed = parseProduceArgs(process.argv.slice(2));
    if (parsed === "help") {
        process.stdout.write(usage);
        return;
    }
    const cliProgress = require("cli-progress") as typeof import("cli-progress");
    const bar = parsed.progress
        ? new cliProgress.SingleBar(
              { format: `producing to ${parsed.engine} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
              cliProgress.Presets.shades_classic,
          )
        : undefined;
    await checkTargetReachable(parsed);
    bar?.start(parsed.count, 0);
    try {
        const summary = await produce(
            parsed,
            (sent) => bar?.update(sent),
            (line) => {
                if (bar && process.stderr.isTTY) {
                    // Keep the note on its own line above the bar.
                    process.stderr.write("\r\x1b[K");
                }
                process.stderr.write(`${line}\n`);
            },
        );
        bar?.stop();
        process.stdout.write(`${JSON.stringify(summary)}\n`);
    } catch (error) {
        bar?.stop();
        throw error;
    }
}

if (require.main === module) {
    main().catch((error: unknown) => {
        process.stderr.write(`produce: ${error instanceof Error ? error.message : String(error)}\n${error instanceof ConfigurationError ? `\n${usage}` : ""}`);
        process.exit(error instanceof ConfigurationError ? 2 : 1);
    });
}
