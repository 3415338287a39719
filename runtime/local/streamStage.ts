import { DatasetDefinition } from "../datasets";
import { runIngestStage } from "./ingestStage";
import { totalOf } from "./lake";
import { LocalLanding, LocalSourceContext, LocalSourceStage, mergeCounts, plural, windowSeed } from "./sourceStage";
import { LocalSourcePlan, produceSource, sourceClients } from "./sources";

/**
 * The stream source of `npm run local`: orders produced into a Kafka topic (the MSK engine) and a
 * Kinesis stream, then the real ingest handler behind local event source mappings until the lake
 * accounts for every record (runtime/local/ingestStage.ts). Steps: `produce`, `ingest`.
 */

export interface StreamSourceOptions {
    readonly dataset: DatasetDefinition;
    /** Orders produced into Kafka (the MSK engine). */
    readonly kafkaCount: number;
    /** Orders produced into Kinesis. */
    readonly kinesisCount: number;
    readonly badRatio: number;
    /** Every n-th valid order is sent twice; 0 for none. */
    readonly resendEvery: number;
}

/** The topic and stream of each engine for one window (object keys name them, so each is counted on its own). */
export function streamSourcePlans(options: StreamSourceOptions & { readonly date: string; readonly seed: number }): LocalSourcePlan[] {
    const stream = (engine: string) => `${options.dataset.name}-${engine}-${options.date}`;
    const plans: LocalSourcePlan[] = [];
    for (const [engine, count] of [["msk", options.kafkaCount], ["kinesis", options.kinesisCount]] as const) {
        if (count > 0) {
            plans.push({ engine, name: `${options.dataset.name} via ${engine}`, stream: stream(engine), seed: windowSeed(options.seed, options.date, engine), count, badRatio: options.badRatio, resendEvery: options.resendEvery });
        }
    }
    return plans;
}

export function streamSourceStage(options: StreamSourceOptions): LocalSourceStage {
    return {
        kind: "stream",
        dataset: options.dataset,
        land: async (context: LocalSourceContext): Promise<LocalLanding> => {
            const { window } = context;
            const plans = streamSourcePlans({ ...options, date: window.date, seed: context.seed });
            const produced = await context.step("produce", async () => {
                const outcomes = [];
                for (const plan of plans) {
                    const outcome = await produceSource(plan, window, sourceClients(plan, context.settings), (sent, total) => context.onProgress?.(`produce ${plan.name}`, sent, total));
                    outcomes.push({ plan, ...outcome });
                }
                const sent = outcomes.reduce((sum, outcome) => sum + outcome.sent, 0);
                return {
                    value: outcomes,
                    detail: `${outcomes.map((outcome) => `${plural(outcome.inSource, "record")} in ${outcome.plan.stream} (${outcome.plan.engine})`).join(" and ")}${sent === 0 ? "; already produced, nothing sent" : `; sent ${plural(sent, "record")}`}`,
                };
            });
            const lake = await context.step("ingest", async () => {
                const counts = await runIngestStage({
                    settings: context.settings,
                    s3: context.s3,
                    buckets: context.buckets,
                    dataset: options.dataset.name,
                    sources: produced.map((outcome) => ({ plan: outcome.plan, inSource: outcome.inSource })),
                    log: context.log,
                    lineage: { emitter: context.lineage, env: context.lineageEnv },
                    onProgress: (done, total) => context.onProgress?.("ingest", done, total),
                });
                const landed = produced.reduce((sum, outcome) => sum + totalOf(counts.get(outcome.plan.stream)?.rawByDt ?? {}), 0);
                const rejected = produced.reduce((sum, outcome) => sum + totalOf(counts.get(outcome.plan.stream)?.rejectedByType ?? {}), 0);
                return { value: counts, detail: `${plural(landed, "record")} in the raw zone, ${plural(rejected, "record")} in the rejects zone (measured from the objects)` };
            });
            return {
                sources: produced.map((outcome) => {
                    const counts = lake.get(outcome.plan.stream);
                    return { name: outcome.plan.name, produced: outcome.inSource, landed: counts?.rawByDt[window.date] ?? 0, rejected: totalOf(counts?.rejectedByType ?? {}) };
                }),
                rejectedByErrorType: mergeCounts(produced.map((outcome) => lake.get(outcome.plan.stream)?.rejectedByType ?? {})),
            };
        },
    };
}
