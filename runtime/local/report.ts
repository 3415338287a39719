import { LocalRunSummary } from "./summary";

/**
 * The HTML report of one `npm run local` run: a single self-contained file (inline CSS and SVG, no
 * script, no external URL, and a Content-Security-Policy that forbids fetching anything) so it can
 * be opened from disk, attached to a ticket or archived by CI and still look the same.
 *
 * Every piece of text that comes from the summary is escaped, because stage details, check names,
 * error types and region names come from data and must never become markup.
 */

/** Escapes text for HTML element content and double- or single-quoted attribute values (and SVG, which shares the rules). */
export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character] as string);
}

/** A whole number with thousands separators (fixed, so the report does not depend on the machine's locale). */
export function formatCount(value: number): string {
    if (!Number.isFinite(value)) {
        return String(value);
    }
    const sign = value < 0 ? "-" : "";
    const digits = String(Math.round(Math.abs(value)));
    return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** An amount with two decimals and thousands separators. */
function formatAmount(value: number): string {
    const fixed = Math.abs(value).toFixed(2);
    const [whole, cents] = fixed.split(".") as [string, string];
    return `${value < 0 ? "-" : ""}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}

/** Short axis labels: 950, 12.5k, 3.2M. */
function formatCompact(value: number): string {
    const magnitude = Math.abs(value);
    if (magnitude >= 1_000_000) {
        return `${trimZeros((value / 1_000_000).toFixed(1))}M`;
    }
    if (magnitude >= 1_000) {
        return `${trimZeros((value / 1_000).toFixed(1))}k`;
    }
    return trimZeros(value.toFixed(magnitude < 10 && magnitude !== Math.round(magnitude) ? 1 : 0));
}

function trimZeros(text: string): string {
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

function formatSeconds(seconds: number): string {
    return seconds < 100 ? `${seconds.toFixed(1)} s` : `${formatCount(seconds)} s`;
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, targetCount = 5): number[] {
    if (!(max > 0)) {
        return [0, 1];
    }
    const rough = max / targetCount;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = ([1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power) as number;
    const ticks: number[] = [];
    for (let value = 0; value < max + step; value += step) {
        ticks.push(Number(value.toPrecision(12)));
        if (value >= max) {
            break;
        }
    }
    return ticks;
}

// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
const palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

// ---------------------------------------------------------------------------------------------
// The flow diagram
// ---------------------------------------------------------------------------------------------

interface FlowNode {
    readonly id: string;
    readonly title: string;
    readonly note: string;
    readonly x: number;
    readonly y: number;
    readonly tone: "normal" | "side" | "failed";
}

interface FlowEdge {
    readonly from: string;
    readonly to: string;
    readonly count: number;
    /** Set when the count disagrees with what the stage before it handed on. */
    readonly problem?: string;
}

const nodeWidth = 120;
const nodeHeight = 58;
// Wide enough between boxes for a seven-digit count above each arrow.
const columnStep = 194;

/** The seconds of a named stage, as a node note ("2.4 s"), or "" when the run has no such stage. */
function stageTime(summary: LocalRunSummary, name: string): string {
    const stage = summary.stages.find((candidate) => candidate.name === name);
    return stage ? formatSeconds(stage.seconds) : "";
}

function engines(summary: LocalRunSummary): string {
    const names = [...new Set(summary.sources.map((source) => /\bvia\s+(\S+)/.exec(source.name)?.[1]).filter((name): name is string => name !== undefined))];
    return names.length > 0 ? names.join(" + ") : "topic / stream";
}

/** The nodes and edges of the run, with the measured count on every edge. */
export function flowGraph(summary: LocalRunSummary): { readonly nodes: readonly FlowNode[]; readonly edges: readonly FlowEdge[] } {
    const c = summary.counts;
    const handled = c.landed + c.rejected;
    const failedChecks = summary.quality.filter((check) => !check.passed).length;
    const column = (index: number) => 20 + index * columnStep;
    const top = 24;
    const bottom = 164;
    const nodes: FlowNode[] = [
        { id: "producers", title: "producers", note: [`${summary.sources.length} source${summary.sources.length === 1 ? "" : "s"}`, stageTime(summary, "produce")].filter(Boolean).join(" · "), x: column(0), y: top, tone: "normal" },
        { id: "stream", title: "stream", note: engines(summary), x: column(1), y: top, tone: "normal" },
        { id: "ingest", title: "ingest", note: stageTime(summary, "ingest") || "validate, land", x: column(2), y: top, tone: "normal" },
        { id: "raw", title: "raw zone", note: "NDJSON.gz", x: column(3), y: top, tone: "normal" },
        { id: "rejects", title: "rejects zone", note: `${Object.keys(c.rejectedByErrorType).length} error types`, x: column(3), y: bottom, tone: "side" },
        { id: "spark", title: "Spark", note: stageTime(summary, "transform") || "transform", x: column(4), y: top, tone: "normal" },
        { id: "dropped", title: "dropped", note: `${formatCount(c.dropped)} rules · ${formatCount(c.duplicates)} dups`, x: column(4), y: bottom, tone: "side" },
        { id: "curated", title: "curated zone", note: "Parquet", x: column(5), y: top, tone: "normal" },
        {
            id: "quality",
            title: "quality",
            note: `${summary.quality.length - failedChecks}/${summary.quality.length} passed`,
            x: column(6),
            y: top,
            tone: failedChecks > 0 ? "failed" : "normal",
        },
        { id: "warehouse", title: "warehouse", note: stageTime(summary, "load") || "MERGE load", x: column(7), y: top, tone: "normal" },
    ];
    const edges: FlowEdge[] = [
        { from: "producers", to: "stream", count: c.produced },
        {
            from: "stream",
            to: "ingest",
            count: handled,
            ...(handled !== c.produced ? { problem: `ingest handled ${formatCount(handled)} of ${formatCount(c.produced)} produced records` } : {}),
        },
        { from: "ingest", to: "raw", count: c.landed },
        { from: "ingest", to: "rejects", count: c.rejected },
        { from: "raw", to: "spark", count: c.landed },
        {
            from: "spark",
            to: "curated",
            count: c.curated,
            ...(c.curated + c.dropped + c.duplicates !== c.landed
                ? { problem: `curated ${formatCount(c.curated)} + dropped ${formatCount(c.dropped)} + duplicates ${formatCount(c.duplicates)} is not the ${formatCount(c.landed)} landed` }
                : {}),
        },
        { from: "spark", to: "dropped", count: c.dropped + c.duplicates },
        { from: "curated", to: "quality", count: c.curated },
        {
            from: "quality",
            to: "warehouse",
            count: c.loaded,
            ...(c.loaded !== c.curated ? { problem: `${formatCount(c.loaded)} rows loaded, ${formatCount(c.curated)} curated` } : {}),
        },
    ];
    return { nodes, edges };
}

function renderFlow(summary: LocalRunSummary): string {
    const { nodes, edges } = flowGraph(summary);
    const byId = new Map(nodes.map((node) => [node.id, node]));
    const edgeMarkup = edges.map((edge) => {
        const from = byId.get(edge.from) as FlowNode;
        const to = byId.get(edge.to) as FlowNode;
        const colour = edge.problem ? "#C62828" : "#455A64";
        const label = escapeHtml(formatCount(edge.count));
        const title = `<title>${escapeHtml(`${from.title} → ${to.title}: ${formatCount(edge.count)}${edge.problem ? ` (${edge.problem})` : ""}`)}</title>`;
        const attributes = `class="edge${edge.problem ? " edge-problem" : ""}" data-edge="${escapeHtml(`${edge.from}->${edge.to}`)}"`;
        if (from.y === to.y) {
            // Horizontal: the count sits above the arrow, centred in the gap between the boxes.
            const x1 = from.x + nodeWidth;
            const x2 = to.x - 4;
            const y = from.y + nodeHeight / 2;
            return `<g ${attributes}>${title}<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${colour}" stroke-width="2" marker-end="url(#arrow${edge.problem ? "-problem" : ""})"/><text x="${(x1 + x2) / 2}" y="${y - 8}" text-anchor="middle" class="edge-label" fill="${colour}">${label}</text></g>`;
        }
        // Vertical, from a box on the main row down to a side output: the count sits to the right.
        const x = to.x + nodeWidth / 2;
        const horizontalStart = from.x === to.x ? x : from.x + nodeWidth / 2;
        const path = from.x === to.x ? `M ${x} ${from.y + nodeHeight} V ${to.y - 4}` : `M ${horizontalStart} ${from.y + nodeHeight} V ${to.y + nodeHeight / 2} H ${to.x - 4}`;
        const labelX = from.x === to.x ? x + 8 : horizontalStart + 8;
        const labelY = (from.y + nodeHeight + to.y) / 2 + 4;
        return `<g ${attributes}>${title}<path d="${path}" fill="none" stroke="${colour}" stroke-width="2" marker-end="url(#arrow${edge.problem ? "-problem" : ""})"/><text x="${labelX}" y="${labelY}" text-anchor="start" class="edge-label" fill="${colour}">${label}</text></g>`;
    });
    const nodeMarkup = nodes.map(
        (node) =>
            `<g class="node node-${node.tone}" data-node="${escapeHtml(node.id)}"><rect x="${node.x}" y="${node.y}" width="${nodeWidth}" height="${nodeHeight}" rx="8"/>` +
            `<text x="${node.x + nodeWidth / 2}" y="${node.y + 24}" text-anchor="middle" class="node-title">${escapeHtml(node.title)}</text>` +
            `<text x="${node.x + nodeWidth / 2}" y="${node.y + 43}" text-anchor="middle" class="node-note">${escapeHtml(node.note)}</text></g>`,
    );
    const width = 20 + 7 * columnStep + nodeWidth + 20;
    const arrow = (id: string, colour: string) =>
        `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${colour}"/></marker>`;
    return (
        `<svg class="flow" viewBox="0 0 ${width} 236" role="img" aria-labelledby="flow-title" xmlns="http://www.w3.org/2000/svg">` +
        `<title id="flow-title">Records through the local platform, with the count on each step</title>` +
        `<defs>${arrow("arrow", "#455A64")}${arrow("arrow-problem", "#C62828")}</defs>` +
        edgeMarkup.join("") +
        nodeMarkup.join("") +
        `</svg>`
    );
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

function renderHeader(summary: LocalRunSummary): string {
    const changed = summary.changedSincePreviousRun;
    const rerun =
        changed === undefined
            ? ""
            : changed.objects === 0 && changed.rows === 0
              ? `<p class="rerun ok">A second run over the same data changed 0 objects and 0 rows: exactly once holds.</p>`
              : `<p class="rerun failed">A second run over the same data changed ${escapeHtml(formatCount(changed.objects))} objects and ${escapeHtml(formatCount(changed.rows))} rows; it should change nothing.</p>`;
    return (
        `<header><h1>Local run of <code>${escapeHtml(summary.dataset)}</code> <span class="badge ${summary.ok ? "ok" : "failed"}">${summary.ok ? "passed" : "failed"}</span></h1>` +
        `<p class="window">Event-time window ${escapeHtml(summary.window.from)} to ${escapeHtml(summary.window.to)} (UTC, inclusive)</p>${rerun}</header>`
    );
}

/** The arithmetic that says nothing was lost, each line marked as holding or not. */
function renderCountChecks(summary: LocalRunSummary): string {
    const c = summary.counts;
    const lines: [boolean, string][] = [
        [c.landed + c.rejected === c.produced, `produced ${formatCount(c.produced)} = landed ${formatCount(c.landed)} + rejected ${formatCount(c.rejected)}`],
        [
            c.curated + c.dropped + c.duplicates === c.landed,
            `landed ${formatCount(c.landed)} = curated ${formatCount(c.curated)} + dropped ${formatCount(c.dropped)} + duplicates ${formatCount(c.duplicates)}`,
        ],
        [c.loaded === c.curated, `loaded ${formatCount(c.loaded)} = curated ${formatCount(c.curated)}`],
    ];
    const sourceRows = summary.sources.map(
        (source) =>
            `<tr><td>${escapeHtml(source.name)}</td><td class="num">${formatCount(source.produced)}</td><td class="num">${formatCount(source.landed)}</td><td class="num">${formatCount(source.rejected)}</td>` +
            `<td>${source.landed + source.rejected === source.produced ? `<span class="mark ok">adds up</span>` : `<span class="mark failed">${escapeHtml(formatCount(source.produced - source.landed - source.rejected))} missing</span>`}</td></tr>`,
    );
    return (
        `<section><h2>Counts</h2><ul class="checks">${lines.map(([holds, text]) => `<li class="${holds ? "ok" : "failed"}"><span class="mark ${holds ? "ok" : "failed"}">${holds ? "holds" : "does not hold"}</span> ${escapeHtml(text)}</li>`).join("")}</ul>` +
        (sourceRows.length > 0
            ? `<table><thead><tr><th>Source</th><th class="num">Produced</th><th class="num">Landed</th><th class="num">Rejected</th><th></th></tr></thead><tbody>${sourceRows.join("")}</tbody></table>`
            : "") +
        `</section>`
    );
}

/** Every dataset of the run: where it came from, its counts from source to warehouse, and each invariant with its figures. */
function renderDatasets(summary: LocalRunSummary): string {
    if (summary.datasets.length === 0) {
        return `<section><h2>Datasets</h2><p class="empty">No dataset ran.</p></section>`;
    }
    const rows = summary.datasets.map((run) => {
        const failed = run.invariants.filter((check) => !check.holds).length;
        const cells = [run.counts.produced, run.counts.landed, run.counts.rejected, run.counts.dropped, run.counts.duplicates, run.counts.curated, run.counts.loaded].map((value) => `<td class="num">${formatCount(value)}</td>`).join("");
        return `<tr><td>${escapeHtml(run.dataset)}</td><td>${escapeHtml(run.source)}</td>${cells}<td>${failed === 0 ? `<span class="mark ok">all ${run.invariants.length} hold</span>` : `<span class="mark failed">${failed} do not hold</span>`}</td></tr>`;
    });
    const details = summary.datasets.map(
        (run) =>
            `<h3>${escapeHtml(run.dataset)} <span class="aside">${escapeHtml(run.source)}: ${escapeHtml(run.sources.map((source) => source.name).join(", "))}</span></h3>` +
            `<ul class="checks">${run.invariants.map((check) => `<li class="${check.holds ? "ok" : "failed"}"><span class="mark ${check.holds ? "ok" : "failed"}">${check.holds ? "holds" : "does not hold"}</span> ${escapeHtml(`${check.name}: ${check.detail}`)}</li>`).join("")}</ul>`,
    );
    return (
        `<section><h2>Datasets <span class="aside">in the order they ran</span></h2>` +
        `<table class="datasets"><thead><tr><th>Dataset</th><th>Source</th><th class="num">Produced</th><th class="num">Landed</th><th class="num">Rejected</th><th class="num">Dropped</th><th class="num">Duplicates</th><th class="num">Curated</th><th class="num">Loaded</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>` +
        `${details.join("")}</section>`
    );
}

function renderStages(summary: LocalRunSummary): string {
    if (summary.stages.length === 0) {
        return `<section><h2>Stages</h2><p class="empty">No stage ran.</p></section>`;
    }
    const longest = Math.max(...summary.stages.map((stage) => stage.seconds), 0.001);
    const total = summary.stages.reduce((sum, stage) => sum + stage.seconds, 0);
    const rows = summary.stages.map(
        (stage) =>
            `<tr><td>${escapeHtml(stage.name)}</td><td class="bar-cell"><span class="bar" style="width:${((stage.seconds / longest) * 100).toFixed(1)}%"></span></td>` +
            `<td class="num">${escapeHtml(formatSeconds(stage.seconds))}</td><td>${escapeHtml(stage.detail)}</td></tr>`,
    );
    return (
        `<section><h2>Stages <span class="aside">${escapeHtml(formatSeconds(total))} in all</span></h2>` +
        `<table class="stages"><thead><tr><th>Stage</th><th>Time</th><th class="num">Seconds</th><th>What it did</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`
    );
}

function renderRejects(summary: LocalRunSummary): string {
    const entries = Object.entries(summary.counts.rejectedByErrorType).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    if (entries.length === 0) {
        return `<section><h2>Rejects by error type</h2><p class="empty">No record was rejected.</p></section>`;
    }
    const largest = Math.max(...entries.map(([, count]) => count), 1);
    const rows = entries.map(
        ([type, count]) =>
            `<tr><td><code>${escapeHtml(type)}</code></td><td class="bar-cell"><span class="bar reject" style="width:${((count / largest) * 100).toFixed(1)}%"></span></td><td class="num">${formatCount(count)}</td></tr>`,
    );
    return `<section><h2>Rejects by error type <span class="aside">${formatCount(summary.counts.rejected)} rejected</span></h2><table class="rejects"><thead><tr><th>Error type</th><th></th><th class="num">Records</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

function renderQuality(summary: LocalRunSummary): string {
    if (summary.quality.length === 0) {
        return `<section><h2>Quality</h2><p class="empty">No quality check ran.</p></section>`;
    }
    const rows = summary.quality.map(
        (check) =>
            `<tr class="quality-${check.passed ? "passed" : "failed"}"><td><span class="mark ${check.passed ? "ok" : "failed"}">${check.passed ? "passed" : "failed"}</span></td><td>${escapeHtml(check.check)}</td><td>${escapeHtml(check.detail)}</td></tr>`,
    );
    const failed = summary.quality.filter((check) => !check.passed).length;
    return `<section><h2>Quality <span class="aside">${failed === 0 ? "all passed" : `${failed} failed`}</span></h2><table class="quality"><thead><tr><th>Result</th><th>Check</th><th>Measured</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

/** Days up to which the chart draws grouped bars; with more days, one line per region reads better. */
export const maxDaysForBars = 14;

/**
 * Sales per day and region on one plot: grouped bars (one group per day, one bar per region) for a
 * short window, one line per region for a long one. Each mark carries a tooltip with its numbers.
 */
function renderDailyChart(rows: LocalRunSummary["query"]["rows"]): string {
    const days = [...new Set(rows.map((row) => row.day))].sort();
    const regions = [...new Set(rows.map((row) => row.region))].sort();
    const value = new Map(rows.map((row) => [`${row.day}\u0000${row.region}`, row]));
    const ticks = niceTicks(Math.max(...rows.map((row) => row.sales), 0));
    const top = ticks[ticks.length - 1] as number;
    const left = 64;
    const width = 1000;
    const plotWidth = width - left - 20;
    const plotHeight = 240;
    const plotTop = 16;
    const slotWidth = plotWidth / Math.max(1, days.length);
    const slotCentre = (dayIndex: number) => left + (dayIndex + 0.5) * slotWidth;
    const y = (amount: number) => plotTop + plotHeight - (Math.max(0, amount) / top) * plotHeight;
    const colour = (regionIndex: number) => palette[regionIndex % palette.length] as string;
    const tooltip = (row: LocalRunSummary["query"]["rows"][number]) => `<title>${escapeHtml(`${row.day} ${row.region}: ${formatAmount(row.sales)} sales in ${formatCount(row.orders)} orders`)}</title>`;
    const grid = ticks.map(
        (tick) =>
            `<line x1="${left}" x2="${width - 10}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" class="grid"/><text x="${left - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" class="axis">${escapeHtml(formatCompact(tick))}</text>`,
    );
    // A date label needs about 80 units; skip labels evenly when the days are denser than that.
    const labelEvery = Math.ceil(days.length / Math.max(1, Math.floor(plotWidth / 80)));
    const labels = days.map((day, dayIndex) =>
        dayIndex % labelEvery === 0 ? `<text x="${slotCentre(dayIndex).toFixed(1)}" y="${plotTop + plotHeight + 18}" text-anchor="middle" class="axis">${escapeHtml(day)}</text>` : "",
    );
    let marks: string[];
    if (days.length <= maxDaysForBars) {
        const barWidth = Math.min(48, (slotWidth * 0.8) / Math.max(1, regions.length));
        marks = days.map((day, dayIndex) => {
            const groupX = slotCentre(dayIndex) - (barWidth * regions.length) / 2;
            const bars = regions.map((region, regionIndex) => {
                const row = value.get(`${day}\u0000${region}`);
                return row
                    ? `<rect x="${(groupX + regionIndex * barWidth).toFixed(1)}" y="${y(row.sales).toFixed(1)}" width="${Math.max(1, barWidth - 1).toFixed(1)}" height="${(plotTop + plotHeight - y(row.sales)).toFixed(1)}" fill="${colour(regionIndex)}">${tooltip(row)}</rect>`
                    : "";
            });
            return `<g class="day" data-day="${escapeHtml(day)}">${bars.join("")}</g>`;
        });
    } else {
        marks = regions.map((region, regionIndex) => {
            const points = days.map((day, dayIndex) => {
                const row = value.get(`${day}\u0000${region}`);
                return row ? { x: slotCentre(dayIndex), y: y(row.sales), row } : undefined;
            });
            // A day without a row breaks the line, rather than drawing a value that was never measured.
            const segments: { x: number; y: number }[][] = [[]];
            for (const point of points) {
                if (point) {
                    (segments[segments.length - 1] as { x: number; y: number }[]).push(point);
                } else if ((segments[segments.length - 1] as unknown[]).length > 0) {
                    segments.push([]);
                }
            }
            const line = segments
                .filter((segment) => segment.length > 1)
                .map((segment) => `<polyline fill="none" stroke="${colour(regionIndex)}" stroke-width="2" points="${segment.map((point) => `${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(" ")}"/>`)
                .join("");
            const dots = points.filter((point) => point !== undefined).map((point) => `<circle cx="${point.x.toFixed(1)}" cy="${point.y.toFixed(1)}" r="3" fill="${colour(regionIndex)}">${tooltip(point.row)}</circle>`);
            return `<g class="region" data-region="${escapeHtml(region)}">${line}${dots.join("")}</g>`;
        });
    }
    const legend = regions.map((region, index) => `<span class="legend-item"><span class="swatch" style="background:${colour(index)}"></span>${escapeHtml(region)}</span>`);
    return (
        `<div class="legend">${legend.join("")}</div><div class="scroll"><svg class="chart" viewBox="0 0 ${width} ${plotTop + plotHeight + 30}" role="img" aria-label="Sales per day and region" xmlns="http://www.w3.org/2000/svg">` +
        grid.join("") +
        `<line x1="${left}" x2="${left}" y1="${plotTop}" y2="${plotTop + plotHeight}" class="axis-line"/>` +
        `<line x1="${left}" x2="${width - 10}" y1="${plotTop + plotHeight}" y2="${plotTop + plotHeight}" class="axis-line"/>` +
        `<text x="14" y="${plotTop + plotHeight / 2}" transform="rotate(-90 14 ${plotTop + plotHeight / 2})" text-anchor="middle" class="axis">sales</text>` +
        marks.join("") +
        labels.join("") +
        `</svg></div>`
    );
}

function renderQuery(summary: LocalRunSummary): string {
    const rows = summary.query.rows;
    const sql = `<details><summary>The query</summary><pre>${escapeHtml(summary.query.sql)}</pre></details>`;
    if (rows.length === 0) {
        return `<section><h2>Daily sales per region</h2><p class="empty">The warehouse query returned no rows for the window.</p>${sql}</section>`;
    }
    const sorted = [...rows].sort((a, b) => a.day.localeCompare(b.day) || a.region.localeCompare(b.region));
    const table = sorted.map(
        (row) => `<tr><td>${escapeHtml(row.day)}</td><td>${escapeHtml(row.region)}</td><td class="num">${formatCount(row.orders)}</td><td class="num">${formatAmount(row.sales)}</td></tr>`,
    );
    const totalSales = rows.reduce((sum, row) => sum + row.sales, 0);
    const totalOrders = rows.reduce((sum, row) => sum + row.orders, 0);
    return (
        `<section><h2>Daily sales per region <span class="aside">${formatCount(totalOrders)} orders, ${formatAmount(totalSales)} sales</span></h2>${renderDailyChart(rows)}` +
        `<details><summary>The rows</summary><table class="rows"><thead><tr><th>Day</th><th>Region</th><th class="num">Orders</th><th class="num">Sales</th></tr></thead><tbody>${table.join("")}</tbody></table></details>${sql}</section>`
    );
}

/**
 * The lineage graph: each job with the datasets it read and wrote (every run of a job folded into
 * one node), and for each source the warehouse tables it reaches along the edges.
 */
export function renderLineage(summary: LocalRunSummary): string {
    const lineage = summary.lineage;
    if (lineage.events === 0) {
        return `<section><h2>Lineage</h2><p class="empty">No lineage event was found under the lineage prefix.</p></section>`;
    }
    const jobRows = lineage.jobs.map((job) => {
        const inputs = lineage.edges.filter((edge) => edge.to === job).map((edge) => edge.from);
        const outputs = lineage.edges.filter((edge) => edge.from === job).map((edge) => edge.to);
        const list = (items: readonly string[]) => (items.length === 0 ? `<span class="empty">none</span>` : items.map((item) => `<div><code>${escapeHtml(item)}</code></div>`).join(""));
        return `<tr><td>${list(inputs)}</td><td><strong>${escapeHtml(job)}</strong></td><td>${list(outputs)}</td></tr>`;
    });
    const sourceRows = lineage.sources.map((source) => {
        const reaches = source.reaches.length === 0 ? `<span class="mark failed">no warehouse table</span>` : source.reaches.map((table) => `<div><code>${escapeHtml(table)}</code></div>`).join("");
        return `<tr><td>${escapeHtml(source.kind)}</td><td><code>${escapeHtml(source.dataset)}</code></td><td>${reaches}</td></tr>`;
    });
    const unreached =
        lineage.unreachedTables.length === 0
            ? ""
            : `<p class="failed">Warehouse tables no source reaches: ${lineage.unreachedTables.map((table) => `<code>${escapeHtml(table)}</code>`).join(", ")}</p>`;
    return (
        `<section><h2>Lineage <span class="aside">${formatCount(lineage.events)} OpenLineage events, ${formatCount(lineage.jobs.length)} jobs, ${formatCount(lineage.datasets.length)} datasets, ${formatCount(lineage.edges.length)} edges${lineage.emitFailures > 0 ? `, ${formatCount(lineage.emitFailures)} failed emissions` : ""}</span></h2>` +
        `<table class="lineage"><thead><tr><th>Source</th><th>Dataset</th><th>Warehouse tables it reaches</th></tr></thead><tbody>${sourceRows.join("")}</tbody></table>${unreached}` +
        `<details><summary>The graph: each job's inputs and outputs</summary><table class="lineage"><thead><tr><th>Inputs</th><th>Job</th><th>Outputs</th></tr></thead><tbody>${jobRows.join("")}</tbody></table></details></section>`
    );
}

function renderServices(summary: LocalRunSummary): string {
    if (summary.services.length === 0) {
        return "";
    }
    const rows = summary.services.map(
        (service) => `<tr><td>${escapeHtml(service.name)}</td><td><code>${escapeHtml(service.endpoint)}</code></td><td>${service.startedByThisRun ? "started by this run (stopped by --down)" : "already running"}</td></tr>`,
    );
    return `<section><h2>Local services</h2><table><thead><tr><th>Service</th><th>Endpoint</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

const styles = `
:root { color-scheme: light; --ink: #1d2327; --muted: #5f6b73; --line: #d5dbe0; --ok: #1b7f3b; --failed: #c62828; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.aside { font-weight: normal; color: var(--muted); font-size: 14px; margin-left: 8px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 12px; margin-bottom: 18px; }
.window { margin: 0; color: var(--muted); }
.rerun { margin: 6px 0 0; }
.rerun.ok { color: var(--ok); } .rerun.failed { color: var(--failed); font-weight: 600; }
.badge { display: inline-block; vertical-align: middle; font-size: 13px; padding: 2px 10px; border-radius: 12px; color: #fff; margin-left: 6px; }
.badge.ok { background: var(--ok); } .badge.failed { background: var(--failed); }
section { margin: 0 0 26px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 28px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bar-cell { width: 34%; }
.bar { display: inline-block; height: 12px; min-width: 2px; background: var(--accent); border-radius: 2px; }
.bar.reject { background: #d55e00; }
.mark { display: inline-block; font-size: 12px; font-weight: 600; padding: 0 6px; border-radius: 4px; white-space: nowrap; }
.mark.ok { color: var(--ok); background: #e6f4ea; } .mark.failed { color: var(--failed); background: #fdecea; }
tr.quality-failed td { background: #fdecea; }
ul.checks { list-style: none; padding: 0; margin: 0 0 12px; }
ul.checks li { padding: 3px 0; font-variant-numeric: tabular-nums; }
.empty { color: var(--muted); font-style: italic; }
.scroll { overflow-x: auto; }
svg.flow { width: 100%; min-width: 900px; height: auto; display: block; }
.node rect { fill: #eef4f8; stroke: #0072b2; stroke-width: 1.5; }
.node-side rect { fill: #fbf1e9; stroke: #d55e00; }
.node-failed rect { fill: #fdecea; stroke: var(--failed); stroke-width: 2.5; }
.node-title { font-size: 16px; font-weight: 600; fill: var(--ink); }
.node-note { font-size: 13px; fill: var(--muted); }
.edge-label { font-size: 15px; font-weight: 600; font-variant-numeric: tabular-nums; }
svg.chart { display: block; width: 100%; min-width: 640px; max-width: 1200px; height: auto; }
svg.chart .grid { stroke: #e6eaed; }
svg.chart .axis-line { stroke: #9aa5ad; }
svg.chart .axis { font-size: 12px; fill: var(--muted); }
.legend { margin: 0 0 6px; }
.legend-item { margin-right: 16px; white-space: nowrap; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
details { margin-top: 8px; } summary { cursor: pointer; color: var(--accent); }
pre { background: #f5f7f8; padding: 10px; overflow-x: auto; font-size: 12px; }
code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; font-size: 0.95em; }
`;

/** The whole report: one HTML document with everything inline. */
export function renderLocalReport(summary: LocalRunSummary): string {
    return [
        "<!DOCTYPE html>",
        `<html lang="en"><head><meta charset="utf-8">`,
        // Nothing may be fetched: the report must look the same offline and cannot leak that it was opened.
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
        `<meta name="viewport" content="width=device-width, initial-scale=1">`,
        `<title>${escapeHtml(`Local run of ${summary.dataset}: ${summary.ok ? "passed" : "failed"}`)}</title>`,
        `<style>${styles}</style></head><body>`,
        renderHeader(summary),
        `<section><h2>The flow</h2><div class="scroll">${renderFlow(summary)}</div></section>`,
        renderDatasets(summary),
        renderCountChecks(summary),
        `<div class="grid2">${renderStages(summary)}${renderRejects(summary)}</div>`,
        renderQuality(summary),
        renderQuery(summary),
        renderLineage(summary),
        renderServices(summary),
        "</body></html>",
        "",
    ].join("\n");
}
