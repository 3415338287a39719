import * as assert from "assert";
import { ConfigurationError } from "../../../runtime/common";
import { parseProduceArgs } from "../../../tools/produce";

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

    it("defaults the brokers from KAFKA_BROKERS", () => {
        const parsed = parseProduceArgs(["--engine", "msk"], { KAFKA_BROKERS: "10.0.0.1:9092" });
        assert.ok(parsed !== "help" && parsed.brokers[0] === "10.0.0.1:9092");
    });
});
