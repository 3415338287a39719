import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { sourcePlans, sourceSeed } from "../../../runtime/local/run";
import { LocalSourceClients, LocalSourcePlan, produceSource, SourceMessage, sourceMessages, windowOf } from "../../../runtime/local/sources";

const plan: LocalSourcePlan = { engine: "msk", name: "orders via msk", stream: "orders-msk-2024-05-01", seed: 7, count: 1000, badRatio: 0.1, resendEvery: 50 };
const window = windowOf("2024-05-01");

function parsed(message: SourceMessage): Record<string, unknown> | undefined {
    try {
        const value = JSON.parse(message.value.toString("utf8")) as unknown;
        return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

/** A topic in memory: what the produce stage sees of Kafka or Kinesis. */
function memorySource(initial: number): LocalSourceClients & { sent: SourceMessage[]; ensured: number } {
    const state = { sent: [] as SourceMessage[], ensured: 0 };
    return Object.assign(state, {
        count: async () => initial + state.sent.length,
        ensure: async () => {
            state.ensured += 1;
        },
        send: async (messages: readonly SourceMessage[], onSent: (sent: number) => void) => {
            state.sent.push(...messages);
            onSent(messages.length);
        },
    });
}

describe("npm run local: what each source sends", () => {
    it("is the same for the same plan and window, so a second run would send the same records", () => {
        const first = sourceMessages(plan, window).map((message) => message.value.toString("base64"));
        const second = sourceMessages(plan, window).map((message) => message.value.toString("base64"));
        assert.deepStrictEqual(second, first);
    });

    it("sends every n-th valid order twice, the copy right after it with the same key and bytes", () => {
        const messages = sourceMessages(plan, window);
        const valid = messages.filter((message) => !message.defective && !message.resent).length;
        const resent = messages.filter((message) => message.resent);
        assert.strictEqual(resent.length, Math.floor(valid / plan.resendEvery));
        assert.strictEqual(messages.length, plan.count + resent.length);
        messages.forEach((message, index) => {
            if (message.resent) {
                const original = messages[index - 1] as SourceMessage;
                assert.strictEqual(message.key, original.key);
                assert.ok(message.value.equals(original.value));
            }
        });
    });

    it("sends nothing twice when resendEvery is 0", () => {
        assert.strictEqual(sourceMessages({ ...plan, resendEvery: 0 }, window).length, plan.count);
    });

    it("puts every valid order's event time inside the window's day", () => {
        for (const message of sourceMessages(plan, window).filter((candidate) => !candidate.defective)) {
            const time = Date.parse(String(parsed(message)?.event_time));
            assert.ok(time >= window.startMs && time < window.endMs, `event_time ${String(parsed(message)?.event_time)} is outside ${window.date}`);
        }
    });

    it("never injects a defect the ingest function cannot reject for a past window (an event a week later)", () => {
        const messages = sourceMessages({ ...plan, badRatio: 1, count: 2000 }, window);
        for (const message of messages) {
            const order = parsed(message);
            if (order && typeof order.event_time === "string") {
                assert.ok(Date.parse(order.event_time) < window.endMs, `a defective order has event_time ${order.event_time}, after the window`);
            }
        }
    });

    it("rejects a date that is not a real UTC day, naming the flag and an example", () => {
        assert.throws(() => windowOf("2024-02-30"), /--date: expected a UTC date YYYY-MM-DD, found '2024-02-30'; pass for example --date 2024-05-01/);
        assert.throws(() => windowOf("May 1"), /--date/);
    });

    it("gives each engine its own topic or stream per window and a seed of its own", () => {
        const plans = sourcePlans({ dataset: orders, date: "2024-05-01", kafkaCount: 100, kinesisCount: 10, seed: 3, badRatio: 0, resendEvery: 0 });
        assert.deepStrictEqual(
            plans.map((candidate) => [candidate.name, candidate.stream, candidate.seed, candidate.count]),
            [
                ["orders via msk", "orders-msk-2024-05-01", sourceSeed(3, "2024-05-01", "msk"), 100],
                ["orders via kinesis", "orders-kinesis-2024-05-01", sourceSeed(3, "2024-05-01", "kinesis"), 10],
            ],
        );
        assert.strictEqual(sourcePlans({ dataset: orders, date: "2024-05-01", kafkaCount: 100, kinesisCount: 0, seed: 3, badRatio: 0, resendEvery: 0 }).length, 1);
    });
});

describe("npm run local: orders of different windows and sources never share an order ID", () => {
    const orderIds = (date: string, engine: "msk" | "kinesis") => {
        const [sourcePlan] = sourcePlans({ dataset: orders, date, kafkaCount: engine === "msk" ? 500 : 0, kinesisCount: engine === "kinesis" ? 500 : 0, seed: 1, badRatio: 0, resendEvery: 0 });
        return new Set(sourceMessages(sourcePlan!, windowOf(date)).map((message) => String(message.key)));
    };

    it("two windows of the same --seed send disjoint orders (the warehouse MERGE is keyed by order_id)", () => {
        const first = orderIds("2024-05-01", "msk");
        const second = orderIds("2024-05-03", "msk");
        assert.strictEqual(first.size, 500);
        assert.deepStrictEqual([...first].filter((id) => second.has(id)), []);
    });

    it("the Kafka and the Kinesis source of a window send disjoint orders", () => {
        const kafka = orderIds("2024-05-01", "msk");
        assert.deepStrictEqual([...orderIds("2024-05-01", "kinesis")].filter((id) => kafka.has(id)), []);
    });

    it("mixes seed, date and engine into a 32-bit seed, the same for the same inputs", () => {
        assert.strictEqual(sourceSeed(1, "2024-05-01", "msk"), sourceSeed(1, "2024-05-01", "msk"));
        assert.notStrictEqual(sourceSeed(1, "2024-05-01", "msk"), sourceSeed(2, "2024-05-01", "msk"));
        assert.ok(Number.isInteger(sourceSeed(1, "2024-05-01", "msk")) && sourceSeed(1, "2024-05-01", "msk") <= 0xffffffff);
    });
});

describe("npm run local: the produce stage", () => {
    it("sends the plan's messages to an empty source and reports what the source then holds", async () => {
        const source = memorySource(0);
        const outcome = await produceSource(plan, window, source, () => undefined);
        assert.strictEqual(source.ensured, 1);
        assert.strictEqual(outcome.sent, sourceMessages(plan, window).length);
        assert.strictEqual(outcome.inSource, outcome.sent);
    });

    it("sends nothing when the source already holds exactly the plan's records", async () => {
        const expected = sourceMessages(plan, window).length;
        const source = memorySource(expected);
        const outcome = await produceSource(plan, window, source, () => undefined);
        assert.deepStrictEqual(outcome, { inSource: expected, sent: 0 });
        assert.strictEqual(source.sent.length, 0);
    });

    it("refuses to add to a source that holds another number of records, naming the counts and the fix", async () => {
        const source = memorySource(17);
        await assert.rejects(
            produceSource(plan, window, source, () => undefined),
            /orders via msk: orders-msk-2024-05-01 holds 17 records but this window's plan has \d+ .*run with another --date, or clear the local services: npm run local -- --down/,
        );
        assert.strictEqual(source.sent.length, 0);
    });
});
