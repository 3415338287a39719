import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { escapeHtml, formatCount, maxDaysForBars, niceTicks, renderLocalReport } from "../../../runtime/local/report";
import { LocalRunSummary } from "../../../runtime/local/summary";

const fixture = path.resolve(__dirname, "..", "..", "fixtures", "local", "summary.json");

/** A realistic run: 11,000 orders from two sources, 220 rejected, 85 duplicates, three days of sales. */
function sample(): LocalRunSummary {
    return JSON.parse(fs.readFileSync(fixture, "utf8")) as LocalRunSummary;
}

/** The text labels of one edge of the flow diagram, by its `from->to` name. */
function edgeLabel(html: string, edge: string): string {
    const match = new RegExp(`<g class="edge[^"]*" data-edge="${edge.replace(">", "&gt;")}">(.*?)</g>`).exec(html);
    assert.ok(match, `edge ${edge} is drawn`);
    const label = /<text[^>]*class="edge-label"[^>]*>([^<]*)<\/text>/.exec(match[1] as string);
    assert.ok(label, `edge ${edge} has a label`);
    return label[1] as string;
}

function edgeMarkup(html: string, edge: string): string {
    return (new RegExp(`<g class="edge[^"]*" data-edge="${edge.replace(">", "&gt;")}">.*?</g>`).exec(html) as RegExpExecArray)[0];
}

describe("the local run report (runtime/local/report.ts)", () => {
    it("puts each measured count on its own edge of the flow", () => {
        const html = renderLocalReport(sample());
        assert.deepStrictEqual(
            {
                produced: edgeLabel(html, "producers->stream"),
                handled: edgeLabel(html, "stream->ingest"),
                landed: edgeLabel(html, "ingest->raw"),
                rejected: edgeLabel(html, "ingest->rejects"),
                readBySpark: edgeLabel(html, "raw->spark"),
                curated: edgeLabel(html, "spark->curated"),
                droppedAndDuplicates: edgeLabel(html, "spark->dropped"),
                checked: edgeLabel(html, "curated->quality"),
                loaded: edgeLabel(html, "quality->warehouse"),
            },
            { produced: "11,000", handled: "11,000", landed: "10,780", rejected: "220", readBySpark: "10,780", curated: "10,695", droppedAndDuplicates: "85", checked: "10,695", loaded: "10,695" },
        );
        assert.doesNotMatch(html, /edge-problem/, "a run whose counts add up marks no edge");
    });

    it("lists every dataset with its source, counts and each invariant with its figures", () => {
        const html = renderLocalReport(sample());
        const section = /<section><h2>Datasets .*?<\/section>/.exec(html)?.[0] ?? "";
        assert.match(section, /<tr><td>customers<\/td><td>database<\/td><td class="num">50,049<\/td><td class="num">50,049<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">50,018<\/td><td class="num">50,018<\/td><td><span class="mark ok">all 4 hold<\/span><\/td><\/tr>/);
        assert.match(section, /<li class="ok"><span class="mark ok">holds<\/span> warehouse = source table, row by row: 50,018 warehouse rows, 50,018 source rows, 0 differences<\/li>/);
        assert.deepStrictEqual([...section.matchAll(/<h3>([a-z_]+) /g)].map((match) => match[1]), ["customers", "fx_rates", "orders"]);
        const summary = sample();
        const broken = renderLocalReport({ ...summary, datasets: summary.datasets.map((run) => (run.dataset === "fx_rates" ? { ...run, invariants: [{ name: "loaded = curated", holds: false, detail: "5 = 6" }] } : run)) });
        assert.match(broken, /<td>fx_rates<\/td><td>api<\/td>.*?<span class="mark failed">1 do not hold<\/span>/);
        assert.match(broken, /<li class="failed"><span class="mark failed">does not hold<\/span> loaded = curated: 5 = 6<\/li>/);
    });

    it("shows the lineage graph: each source with the warehouse tables it reaches, each job with its inputs and outputs", () => {
        const html = renderLocalReport(sample());
        const section = html.slice(html.indexOf("<h2>Lineage"), html.indexOf("</section>", html.indexOf("<h2>Lineage")));
        assert.match(section, /12 OpenLineage events, 3 jobs, 4 datasets, 6 edges/);
        assert.match(section, /<tr><td>kafka<\/td><td><code>kafka:\/\/127\.0\.0\.1:9092\/orders-msk<\/code><\/td><td><div><code>redshift:\/\/local-postgres\.us-east-1:55432\/etl_test\.local\.orders<\/code><\/div><\/td><\/tr>/);
        assert.match(section, /<tr><td><div><code>s3:\/\/etl-local-raw\/orders<\/code><\/div><\/td><td><strong>etl-platform-local\/transform\.orders<\/strong><\/td><td><div><code>s3:\/\/etl-local-curated\/orders<\/code><\/div><\/td><\/tr>/);
        assert.ok(!section.includes("no source reaches"));
    });

    it("names the warehouse tables no source reaches and the sources that reach none", () => {
        const summary = sample();
        const table = "redshift://local-postgres.us-east-1:55432/etl_test.local.customers";
        const html = renderLocalReport({
            ...summary,
            lineage: { ...summary.lineage, warehouseTables: [...summary.lineage.warehouseTables, table], unreachedTables: [table], sources: [...summary.lineage.sources, { dataset: "postgres://db/shop.public.customers", kind: "database", reaches: [] }] },
        });
        assert.match(html, /Warehouse tables no source reaches: <code>redshift:\/\/local-postgres\.us-east-1:55432\/etl_test\.local\.customers<\/code>/);
        assert.match(html, /<td>database<\/td><td><code>postgres:\/\/db\/shop\.public\.customers<\/code><\/td><td><span class="mark failed">no warehouse table<\/span>/);
    });

    it("marks the edge where records went missing, and says which sum does not hold", () => {
        const summary = sample();
        const html = renderLocalReport({ ...summary, ok: false, counts: { ...summary.counts, landed: 10_700 } });
        assert.match(edgeMarkup(html, "stream->ingest"), /class="edge edge-problem"/);
        assert.match(edgeMarkup(html, "stream->ingest"), /ingest handled 10,920 of 11,000 produced records/);
        assert.match(html, /<li class="failed"><span class="mark failed">does not hold<\/span> produced 11,000 = landed 10,700 \+ rejected 220<\/li>/);
        assert.match(html, /<span class="badge failed">failed<\/span>/);
    });

    it("escapes every text that comes from the run, in elements and attributes alike", () => {
        const summary = sample();
        const hostile = `<img src=x onerror="alert('x')">&`;
        const html = renderLocalReport({
            ...summary,
            dataset: hostile,
            stages: [{ name: hostile, seconds: 1, detail: hostile }],
            sources: [{ name: `orders via ${hostile}`, produced: 1, landed: 1, rejected: 0 }],
            counts: { ...summary.counts, rejectedByErrorType: { [hostile]: 3 } },
            quality: [{ check: hostile, passed: false, detail: hostile }],
            query: { sql: hostile, rows: [{ region: hostile, day: `2026-12-01"><script>`, orders: 1, sales: 2 }] },
            services: [{ name: "moto", endpoint: hostile, startedByThisRun: true }],
        });
        assert.doesNotMatch(html, /<img|<script|onerror="/);
        assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;"));
        assert.ok(html.includes(`data-day="2026-12-01&quot;&gt;&lt;script&gt;"`));
        assert.strictEqual(escapeHtml(`a<b>&"c'`), "a&lt;b&gt;&amp;&quot;c&#39;");
    });

    it("is one self-contained file: no script, no stylesheet or image link, and a policy that fetches nothing", () => {
        const html = renderLocalReport(sample());
        assert.match(html, /^<!DOCTYPE html>/);
        assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
        assert.doesNotMatch(html, /<script|<link|<img|<iframe|\ssrc=|\shref=|@import|url\((?!#)/i);
        assert.match(html, /<style>/);
    });

    it("says so when the warehouse query returned no rows, and draws no chart", () => {
        const summary = sample();
        const html = renderLocalReport({ ...summary, query: { sql: "SELECT 1", rows: [] } });
        assert.match(html, /<p class="empty">The warehouse query returned no rows for the window\.<\/p>/);
        assert.doesNotMatch(html, /<svg class="chart"/);
        assert.match(html, /<pre>SELECT 1<\/pre>/);
    });

    it("shows a failed quality check as failed, in the table and on the quality step of the flow", () => {
        const summary = sample();
        const html = renderLocalReport({
            ...summary,
            ok: false,
            quality: [
                { check: "order_id complete", passed: true, detail: "0 null order_id (expected 0)" },
                { check: "order_id unique", passed: false, detail: "12 duplicate order_id (expected 0)" },
            ],
        });
        assert.match(html, /<tr class="quality-failed"><td><span class="mark failed">failed<\/span><\/td><td>order_id unique<\/td><td>12 duplicate order_id \(expected 0\)<\/td><\/tr>/);
        assert.match(html, /<tr class="quality-passed"><td><span class="mark ok">passed<\/span><\/td><td>order_id complete<\/td>/);
        assert.match(html, /<g class="node node-failed" data-node="quality">.*?1\/2 passed/);
        assert.match(html, /Quality <span class="aside">1 failed<\/span>/);
    });

    it("charts sales per day and region: one bar per region in each day's group, with its numbers on hover", () => {
        const html = renderLocalReport(sample());
        const days = [...html.matchAll(/<g class="day" data-day="([^"]+)">(.*?)<\/g>/g)];
        assert.deepStrictEqual(days.map((day) => day[1]), ["2026-12-03", "2026-12-04", "2026-12-05"]);
        assert.strictEqual([...(days[1]?.[2] as string).matchAll(/<rect /g)].length, 4);
        assert.match(html, /<title>2026-12-04 NA: 379,002.13 sales in 2,574 orders<\/title>/);
        assert.match(html, /<span class="swatch" style="background:#0072B2"><\/span>APAC/);
    });

    it("draws one line per region for a long window, broken where a day has no row", () => {
        const rows = [];
        for (let day = 1; day <= maxDaysForBars + 6; day += 1) {
            for (const region of ["EMEA", "NA"]) {
                if (!(region === "NA" && day === 5)) {
                    rows.push({ region, day: `2026-11-${String(day).padStart(2, "0")}`, orders: day, sales: day * 100 });
                }
            }
        }
        const html = renderLocalReport({ ...sample(), query: { sql: "q", rows } });
        assert.doesNotMatch(html, /<g class="day"/);
        const emea = /<g class="region" data-region="EMEA">(.*?)<\/g>/.exec(html)?.[1] as string;
        const na = /<g class="region" data-region="NA">(.*?)<\/g>/.exec(html)?.[1] as string;
        assert.strictEqual([...emea.matchAll(/<polyline /g)].length, 1);
        assert.strictEqual([...na.matchAll(/<polyline /g)].length, 2, "the missing day splits NA's line");
        assert.strictEqual([...na.matchAll(/<circle /g)].length, maxDaysForBars + 5);
    });

    it("shows per-stage times and rejects by error type, largest first", () => {
        const html = renderLocalReport(sample());
        assert.match(html, /<td>transform<\/td><td class="bar-cell"><span class="bar" style="width:100\.0%"><\/span><\/td><td class="num">38\.4 s<\/td>/);
        assert.match(html, /Stages <span class="aside">56\.8 s in all<\/span>/);
        const types = [...html.matchAll(/<tr><td><code>([a-z_]+)<\/code><\/td><td class="bar-cell"><span class="bar reject"/g)].map((match) => match[1]);
        assert.deepStrictEqual(types.slice(0, 3), ["cross_field", "missing_required", "pattern_mismatch"]);
        assert.match(html, /A second run over the same data changed 0 objects and 0 rows: exactly once holds\./);
    });

    it("formats counts and axis ticks without depending on the machine's locale", () => {
        assert.deepStrictEqual([formatCount(0), formatCount(999), formatCount(1000), formatCount(1234567), formatCount(-4200)], ["0", "999", "1,000", "1,234,567", "-4,200"]);
        assert.deepStrictEqual(niceTicks(379_002), [0, 100_000, 200_000, 300_000, 400_000]);
        assert.deepStrictEqual(niceTicks(7), [0, 2, 4, 6, 8]);
        assert.deepStrictEqual(niceTicks(0), [0, 1]);
    });
});
