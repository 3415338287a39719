import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { ConfigurationError } from "../../../runtime/common";
import { checkTargetReachable, isLocalEndpoint, parseProduceArgs, ProduceOptions, resolveProduceAuth, TargetUnreachableError, unreachableTargetMessage } from "../../../tools/produce";

const parse = (line: string) => parseProduceArgs(line.split(" ").filter((part) => part !== ""), {});

function rejects(line: string, flag: string, pattern: RegExp): void {
    assert.throws(
        () => parse(line),
        (error: unknown) => error instanceof ConfigurationError && error.setting === flag && pattern.test(error.message),
        `expected ${flag} to be named for: ${line}`,
    );
}

describe("the produce command line", () => {
    it("parses every flag, in both --flag value and --flag=value forms", () => {
        assert.deepStrictEqual(parse("--engine msk --count 500 --rate=250 --brokers a:1,b:2 --topic t --bad-ratio 0.05 --seed 9 --batch-size 100 --tls --create-topic 3 --no-progress"), {
            engine: "msk",
            count: 500,
            rate: 250,
            brokers: ["a:1", "b:2"],
            topic: "t",
            stream: "orders",
            region: "us-east-1",
            badRatio: 0.05,
            seed: 9,
            batchSize: 100,
            tls: true,
            mskIam: false,
            progress: false,
            createTopicPartitions: 3,
        });
        const kinesis = parse("--engine kinesis --stream s --endpoint http://127.0.0.1:5055 --start-time 2024-05-01T00:00:00Z");
        assert.ok(kinesis !== "help" && kinesis.stream === "s" && kinesis.endpoint === "http://127.0.0.1:5055" && kinesis.startTimeMs === Date.UTC(2024, 4, 1));
        assert.strictEqual(parse("--help"), "help");
    });

    it("names the flag, what was expected, what was found and the fix", () => {
        rejects("--count 5", "--engine", /--engine: expected msk or kinesis, found nothing; pass --engine msk or --engine kinesis/);
        rejects("--engine sqs", "--engine", /found 'sqs'/);
        rejects("--engine msk --rate fast", "--rate", /--rate: expected a non-negative number of messages per second, found 'fast'; pass for example --rate 500/);
        rejects("--engine msk --count 0", "--count", /--count: expected an integer from 1 to 100000000, found '0'/);
        rejects("--engine msk --bad-ratio 2", "--bad-ratio", /expected a number from 0 to 1, found '2'/);
        rejects("--engine msk --brokers localhost", "--brokers", /expected a comma-separated list of host:port, found 'localhost'/);
        rejects("--engine msk --batch-size 501", "--batch-size", /from 1 to 500/);
        rejects("--engine msk --start-time yesterday", "--start-time", /ISO-8601/);
        rejects("--engine kinesis --endpoint localhost:5055", "--endpoint", /expected an http\(s\) URL, found 'localhost:5055'/);
        rejects("--engine kinesis --msk-iam", "--msk-iam", /only with --engine msk/);
        rejects("--engine msk --cout 5", "--cout", /--cout: expected one of .*--count.*found '--cout'; remove it or fix its spelling/);
        rejects("--engine msk --count", "--count", /--count: expected a value, found nothing/);
    });

    it("defaults the brokers to 127.0.0.1:$KAFKA_PORT, the port tools/services/kafka.sh listens on", () => {
        const parsed = parseProduceArgs(["--engine", "msk"], { KAFKA_PORT: "9761" });
        assert.ok(parsed !== "help" && parsed.brokers[0] === "127.0.0.1:9761");
    });

    it("takes SASL/SCRAM credentials from the environment (--scram) or the cluster's AmazonMSK_ secret (--scram-secret, over TLS), never from a flag value", async () => {
        const local = parseProduceArgs(["--engine", "msk", "--scram"], { KAFKA_SCRAM_USERNAME: "u", KAFKA_SCRAM_PASSWORD: "p" }) as ProduceOptions;
        assert.deepStrictEqual([local.scram, local.tls], [{ source: "env", username: "u", password: "p" }, false]);
        assert.deepStrictEqual(await resolveProduceAuth(local), { mode: "scram", username: "u", password: "p", tls: false });
        const arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:AmazonMSK_platform-prod-ingest-AbCdEf";
        const deployed = parseProduceArgs(["--engine", "msk", "--scram-secret", arn], {}) as ProduceOptions;
        assert.deepStrictEqual([deployed.scram, deployed.tls], [{ source: "secret", secretArn: arn }, true]);
        const readSecret = async (secretId: string) => ({ username: `from ${secretId.slice(-6)}`, password: "p" });
        assert.deepStrictEqual(await resolveProduceAuth(deployed, readSecret), { mode: "scram", username: "from AbCdEf", password: "p", tls: true });
    });

    it("refuses --scram without credentials, a secret outside the AmazonMSK_ prefix, two authentications at once and SCRAM on Kinesis", () => {
        assert.throws(() => parseProduceArgs(["--engine", "msk", "--scram"], {}), /--scram: expected KAFKA_SCRAM_USERNAME and KAFKA_SCRAM_PASSWORD in the environment, found neither/);
        assert.throws(() => parseProduceArgs(["--engine", "msk", "--scram-secret", "arn:aws:secretsmanager:us-east-1:111122223333:secret:kafka-AbCdEf"], {}), /--scram-secret: expected the ARN of a Secrets Manager secret whose name starts with AmazonMSK_/);
        assert.throws(() => parseProduceArgs(["--engine", "msk", "--scram", "--msk-iam"], { KAFKA_SCRAM_USERNAME: "u", KAFKA_SCRAM_PASSWORD: "p" }), /expected one authentication: --msk-iam, --scram or --scram-secret, found --msk-iam and --scram/);
        assert.throws(() => parseProduceArgs(["--engine", "kinesis", "--scram"], {}), /--scram: expected only with --engine msk/);
    });

    it("takes mutual TLS from the client certificate and key files (over TLS), and reads them when producing", async () => {
        const fs = await import("fs");
        const os = await import("os");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "produce-mtls-"));
        const cert = path.join(dir, "client.pem");
        const key = path.join(dir, "client.key");
        fs.writeFileSync(cert, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        fs.writeFileSync(key, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
        const options = parseProduceArgs(["--engine", "msk", "--client-cert", cert, "--client-key", key], {}) as ProduceOptions;
        assert.deepStrictEqual([options.clientCertificate, options.tls], [{ certificatePath: cert, privateKeyPath: key }, true]);
        assert.deepStrictEqual(await resolveProduceAuth(options), { mode: "tls", certificatePem: fs.readFileSync(cert, "utf8"), privateKeyPem: fs.readFileSync(key, "utf8") });
        await assert.rejects(resolveProduceAuth({ ...options, clientCertificate: { certificatePath: path.join(dir, "missing.pem"), privateKeyPath: key } }), /--client-cert: expected a readable PEM file, found '.*missing\.pem'/);
        assert.throws(() => parseProduceArgs(["--engine", "msk", "--client-cert", cert], {}), /--client-cert: expected --client-cert and --client-key together .*, found no --client-key/);
        assert.throws(() => parseProduceArgs(["--engine", "msk", "--client-cert", cert, "--client-key", key, "--msk-iam"], {}), /--client-cert: expected one authentication/);
    });

    it("defaults the brokers from KAFKA_BROKERS", () => {
        const parsed = parseProduceArgs(["--engine", "msk"], { KAFKA_BROKERS: "10.0.0.1:9092" });
        assert.ok(parsed !== "help" && parsed.brokers[0] === "10.0.0.1:9092");
    });
});

describe("the produce command line against local stand-ins", () => {
    const envLocal = { MOTO_PORT: "5631", KAFKA_PORT: "9631", KAFKA_CONTROLLER_PORT: "9632" };
    const parseWith = (line: string, env: Record<string, string | undefined>) => {
        const parsed = parseProduceArgs(line.split(" ").filter((part) => part !== ""), env);
        assert.ok(parsed !== "help");
        return parsed;
    };

    it("creates a Kinesis stream only against a local endpoint, and a Kafka topic only with --engine msk", () => {
        assert.strictEqual(parseWith("--engine kinesis --endpoint http://127.0.0.1:5631 --create-stream 2", {}).createStreamShards, 2);
        rejects("--engine kinesis --create-stream 2", "--create-stream", /expected a local --endpoint .*found no --endpoint \(AWS\); on AWS the stack creates the stream \(pulumi up\)/);
        rejects("--engine kinesis --endpoint https://kinesis.eu-west-1.amazonaws.com --create-stream 2", "--create-stream", /found 'https:\/\/kinesis\.eu-west-1\.amazonaws\.com'/);
        rejects("--engine msk --create-stream 2", "--create-stream", /only with --engine kinesis, found --engine msk; use --create-topic N/);
        rejects("--engine kinesis --endpoint http://127.0.0.1:5631 --create-stream 0", "--create-stream", /an integer from 1 to 500, found '0'/);
    });

    it("uses moto's test credentials for a local endpoint only, and never over credentials set in the environment", () => {
        assert.deepStrictEqual(parseWith("--engine kinesis --endpoint http://127.0.0.1:5631", envLocal).credentials, { accessKeyId: "test", secretAccessKey: "test" });
        assert.deepStrictEqual(parseWith("--engine kinesis --endpoint http://localhost:5631", {}).credentials, { accessKeyId: "test", secretAccessKey: "test" });
        assert.deepStrictEqual(parseWith("--engine kinesis --endpoint http://moto:5000", { MOTO_ENDPOINT: "http://moto:5000/" }).credentials, { accessKeyId: "test", secretAccessKey: "test" });
        assert.strictEqual(parseWith("--engine kinesis --endpoint http://127.0.0.1:5631", { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE" }).credentials, undefined);
        assert.strictEqual(parseWith("--engine kinesis --endpoint https://kinesis.eu-west-1.amazonaws.com", {}).credentials, undefined);
        assert.strictEqual(parseWith("--engine kinesis", {}).credentials, undefined);
    });

    it("tells local endpoints from remote ones", () => {
        assert.deepStrictEqual(
            ["http://127.0.0.1:5055", "http://localhost:5055", "http://[::1]:5055", "http://127.10.0.1:1", "http://10.0.0.5:5055", "https://kinesis.us-east-1.amazonaws.com", "not a url"].map((url) => isLocalEndpoint(url, {})),
            [true, true, true, true, false, false, false],
        );
    });

    it("names the missing service and the command that starts it on the port it was looked for", () => {
        assert.strictEqual(
            unreachableTargetMessage(parseWith("--engine msk --brokers 127.0.0.1:9631", envLocal), envLocal),
            "Kafka is not reachable at 127.0.0.1:9631; start it with: KAFKA_PORT=9631 KAFKA_CONTROLLER_PORT=9632 tools/services/kafka.sh start (or run npm run local, which starts every service)",
        );
        assert.strictEqual(
            unreachableTargetMessage(parseWith("--engine kinesis --endpoint http://127.0.0.1:5700", envLocal), envLocal),
            "moto (local S3/Kinesis) is not reachable at http://127.0.0.1:5700; start it with: MOTO_PORT=5700 tools/services/moto.sh start (or run npm run local, which starts every service)",
        );
        assert.match(unreachableTargetMessage(parseWith("--engine msk --msk-iam --brokers b-1.msk.example:9098", {}), {}), /^Kafka is not reachable at b-1\.msk\.example:9098 .*MSK brokers are private to their VPC/);
        assert.match(unreachableTargetMessage(parseWith("--engine kinesis --endpoint http://10.0.0.5:4566", {}), {}), /^the Kinesis endpoint http:\/\/10\.0\.0\.5:4566 is not reachable; check --endpoint/);
    });

    it("checks that any broker or the endpoint answers before producing, and leaves AWS itself unchecked", async () => {
        const asked: string[] = [];
        const down = async (address: string) => {
            asked.push(address);
            return false;
        };
        await assert.rejects(checkTargetReachable(parseWith("--engine msk --brokers 127.0.0.1:9631,127.0.0.1:9633", envLocal), envLocal, down), (error: unknown) => error instanceof TargetUnreachableError && /^Kafka is not reachable/.test(error.message));
        await assert.rejects(checkTargetReachable(parseWith("--engine kinesis --endpoint http://127.0.0.1:5631", envLocal), envLocal, down), { message: /^moto \(local S3\/Kinesis\) is not reachable/ });
        await checkTargetReachable(parseWith("--engine kinesis", {}), {}, down);
        assert.deepStrictEqual(asked, ["127.0.0.1:9631", "127.0.0.1:9633", "127.0.0.1:5631"]);
        await checkTargetReachable(parseWith("--engine msk --brokers 127.0.0.1:9631,127.0.0.1:9633", envLocal), envLocal, async (address) => address.endsWith("9633"));
    });

    for (const [engine, args, message] of [
        ["msk", ["--engine", "msk"], /^produce: Kafka is not reachable at 127\.0\.0\.1:9; start it with: KAFKA_PORT=9 KAFKA_CONTROLLER_PORT=\d+ tools\/services\/kafka\.sh start/],
        ["kinesis", ["--engine", "kinesis", "--endpoint", "http://127.0.0.1:9"], /^produce: moto \(local S3\/Kinesis\) is not reachable at http:\/\/127\.0\.0\.1:9; start it with: MOTO_PORT=9 tools\/services\/moto\.sh start/],
    ] as const) {
        it(`without its service (${engine}) prints one line naming it and its start command, and no client retry noise`, async () => {
            const result = await runProduce([...args, "--count", "5"], { KAFKA_BROKERS: "127.0.0.1:9" });
            assert.strictEqual(result.code, 1, result.stderr);
            assert.match(result.stderr, message);
            assert.strictEqual(result.stderr.trim().split("\n").length, 1, result.stderr);
            assert.strictEqual(result.stdout, "");
        });
    }
});

/** Runs the produce CLI as a user would, with ts-node, in a clean environment plus `env`. */
async function runProduce(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    const root = path.resolve(__dirname, "..", "..", "..");
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AWS_|MOTO_|KAFKA_|KINESIS_)/.test(key)));
    try {
        const { stdout, stderr } = await promisify(execFile)(path.join(root, "node_modules", ".bin", "ts-node"), ["--transpile-only", "tools/produce.ts", ...args], { cwd: root, env: { ...clean, ...env } });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
}
