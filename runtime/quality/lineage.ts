import { QualityCheck } from "../datasets";
import { buildRunEvent, createFacets, DatasetRef, deterministicRunId, InputDataset, LineageEmitter } from "../lineage";
import { QualityReport } from "./evaluate";

/**
 * Lineage of a quality step: one run per dataset, source and judged subject (deterministic id, so
 * a retried step reports to the same run), a START and then a COMPLETE carrying the checks as
 * OpenLineage data-quality assertions on the judged dataset, or a FAIL with the error (and the
 * assertions, when there is a report) when the gate or the step threw.
 */
export interface QualityLineageOptions {
    readonly emitter: LineageEmitter;
    /** The job namespace. */
    readonly namespace: string;
}

export interface QualityRun {
    readonly dataset: string;
    readonly source: "sparkRun" | "warehouse";
    /** What was judged (the summary URI, or the warehouse window): names the run. */
    readonly subject: string;
}

export function qualityRunId(run: QualityRun): string {
    return deterministicRunId("quality", run.dataset, run.source, run.subject);
}

function jobOf(options: QualityLineageOptions, run: QualityRun) {
    return { namespace: options.namespace, name: `quality.${run.dataset}.${run.source}` };
}

/** Emits the run's START. Never throws. */
export async function emitQualityStart(options: QualityLineageOptions, run: QualityRun): Promise<void> {
    await options.emitter.emit(`${run.source}-start`, [buildRunEvent({ eventType: "START", runId: qualityRunId(run), job: jobOf(options, run) })]);
}

/** Emits COMPLETE with the assertions, or FAIL with the error when the step threw. Never throws. */
export async function emitQualityEnd(
    options: QualityLineageOptions,
    run: QualityRun,
    outcome: { readonly judged?: DatasetRef; readonly checks: readonly QualityCheck[]; readonly report?: QualityReport; readonly error?: unknown },
): Promise<void> {
    const facets = createFacets();
    const { report, error } = outcome;
    // The step fails when it throws (the gate, or a broken input); a report returned with failed checks is a completed step whose assertions say so.
    const failed = error !== undefined;
    const columns = new Map(outcome.checks.map((check) => [check.name, "column" in check ? check.column : undefined]));
    const inputs: InputDataset[] = outcome.judged
        ? [
              {
                  ...outcome.judged,
                  ...(report
                      ? {
                            facets: {
                                dataQualityAssertions: facets.dataQualityAssertions(
                                    report.results.map((result) => {
                                        const column = columns.get(result.name);
                                        return { assertion: result.name, success: result.passed, ...(column ? { column } : {}) };
                                    }),
                                ),
                            },
                        }
                      : {}),
              },
          ]
        : [];
    await options.emitter.emit(`${run.source}-${failed ? "fail" : "complete"}`, [
        buildRunEvent({
            eventType: failed ? "FAIL" : "COMPLETE",
            runId: qualityRunId(run),
            job: jobOf(options, run),
            inputs,
            ...(failed ? { runFacets: { errorMessage: facets.errorMessage(error) } } : {}),
        }),
    ]);
}
