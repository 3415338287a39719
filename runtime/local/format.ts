import { LocalRunSummary } from "./summary";

/**
 * The human summary `npm run local` prints: per stage its time and what it did, the counts with the
 * equations they must satisfy, rejects by error type, quality verdicts, the query's answer, and
 * what the run changed compared with the previous one.
 */

const number = (value: number) => value.toLocaleString("en-US");

function table(rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string[] {
    const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
    return rows.map((row) =>
        row
            .map((cell, column) => (rightAligned.includes(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
            .join("  ")
            .trimEnd(),
    );
}

function verdict(holds: boolean): string {
    return holds ? "holds" : "DOES NOT HOLD";
}

export function formatLocalSummary(summary: LocalRunSummary): string {
    const { counts } = summary;
    const lines: string[] = [];
    lines.push(`npm run local: ${summary.dataset}, window ${summary.window.from}${summary.window.to !== summary.window.from ? ` to ${summary.window.to}` : ""} (UTC) — ${summary.ok ? "OK" : "FAILED"}`);
    lines.push("");
    lines.push("services:");
    for (const service of summary.services) {
        lines.push(`  ${service.name.padEnd(9)}${service.endpoint} (${service.startedByThisRun ? "started by this run" : "reused"})`);
    }
    lines.push("");
    lines.push("stages:");
    lines.push(...table(summary.stages.map((stage) => [`  ${stage.name}`, `${stage.seconds.toFixed(1)} s`, stage.detail]), [1]));
    lines.push("");
    lines.push("datasets (in the order they ran):");
    lines.push(
        ...table(
            [
                ["  dataset", "source", "produced", "landed", "rejected", "dropped", "de-duplicated", "curated", "loaded", "invariants"],
                ...summary.datasets.map((run) => [
                    `  ${run.dataset}`,
                    run.source,
                    number(run.counts.produced),
                    number(run.counts.landed),
                    number(run.counts.rejected),
                    number(run.counts.dropped),
                    number(run.counts.duplicates),
                    number(run.counts.curated),
                    number(run.counts.loaded),
                    run.invariants.every((check) => check.holds) ? `all ${run.invariants.length} hold` : `${run.invariants.filter((check) => !check.holds).length} DO NOT HOLD`,
                ]),
            ],
            [2, 3, 4, 5, 6, 7, 8],
        ),
    );
    for (const run of summary.datasets) {
        lines.push("");
        lines.push(`${run.dataset} (${run.source}):`);
        lines.push(...table(run.sources.map((source) => [`  ${source.name}`, `produced ${number(source.produced)}`, `landed ${number(source.landed)}`, `rejected ${number(source.rejected)}`])));
        for (const check of run.invariants) {
            lines.push(`  ${check.name}: ${verdict(check.holds)} (${check.detail})`);
        }
    }
    lines.push("");
    lines.push(`${summary.dataset} in detail:`);
    lines.push("");
    lines.push("sources:");
    lines.push(...table([["  source", "produced", "landed", "rejected"], ...summary.sources.map((source) => [`  ${source.name}`, number(source.produced), number(source.landed), number(source.rejected)])], [1, 2, 3]));
    lines.push("");
    lines.push("records:");
    lines.push(
        ...table(
            [
                ["  produced", number(counts.produced)],
                ["  landed (raw zone, window)", number(counts.landed)],
                ["  rejected (rejects zone)", number(counts.rejected)],
                ["  dropped by the Spark job", number(counts.dropped)],
                ["  de-duplicated", number(counts.duplicates)],
                ["  curated", number(counts.curated)],
                ["  loaded (warehouse, window)", number(counts.loaded)],
            ],
            [1],
        ),
    );
    lines.push(`  produced = landed + rejected: ${verdict(counts.produced === counts.landed + counts.rejected)}`);
    lines.push(`  curated = landed - dropped - de-duplicated: ${verdict(counts.curated === counts.landed - counts.dropped - counts.duplicates)}`);
    lines.push(`  loaded = curated: ${verdict(counts.loaded === counts.curated)}`);
    const types = Object.entries(counts.rejectedByErrorType);
    if (types.length > 0) {
        lines.push("");
        lines.push("rejected by error type:");
        lines.push(...table(types.map(([type, count]) => [`  ${type}`, number(count)]), [1]));
    }
    lines.push("");
    lines.push("quality:");
    for (const result of summary.quality) {
        lines.push(`  ${result.passed ? "pass" : "FAIL"}  ${result.check}: ${result.detail}`);
    }
    lines.push("");
    lines.push(`query: ${summary.query.sql}`);
    lines.push(...table([["  day", "region", "orders", "sales"], ...summary.query.rows.map((row) => [`  ${row.day}`, row.region, number(row.orders), row.sales.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })])], [2, 3]));
    lines.push("");
    if (summary.changedSincePreviousRun) {
        const changed = summary.changedSincePreviousRun;
        lines.push(`second run of this window: ${number(changed.objects)} objects and ${number(changed.rows)} rows changed${changed.objects === 0 && changed.rows === 0 ? " (exactly once end to end)" : ""}`);
    } else {
        lines.push("first run of this window: run again to see that nothing changes");
    }
    if (summary.report) {
        lines.push(`report: ${summary.report}`);
    }
    return `${lines.join("\n")}\n`;
}
