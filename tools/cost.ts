import * as fs from "fs";
import {
    budgetVerdict,
    CostInput,
    CostReport,
    estimateCost,
    estimateRun,
    inputsFromPlan,
    loadUsageFile,
    parsePlanDocument,
    UsageDocument,
} from "../cost";
import { CostDiff, diffReports } from "../cost/diff";
import { parseJsonReport, toJsonReport } from "../cost/format/json";
import { formatMarkdown } from "../cost/format/markdown";
import { formatDiffText, formatTable } from "../cost/format/table";
import { parsePreviewDocument } from "../cost/preview";
import { compareWithReference, parseReferenceDesign } from "../cost/reference";
import { inputsFromRun } from "../cost/adapters";
import { usd } from "../cost/format/money";
import { defaultUsagePath } from "../cost/usage";
import { FlagError, parseFlags } from "./offline/flags";
import { runOffline } from "./offline/program";
import { advise } from "./offline/advisor";
import { formatAdviceMarkdown, formatAdviceText } from "../cost/format/advice";
import { namedVariants, runOptionsFor } from "./checkov-catalogue";

/**
 * `npm run cost`: the monthly cost of a stack's offline plan, of a saved plan document, or of a
 * real `pulumi preview --json` document (with the change it makes), as a table, JSON or a
 * pull-request comment; `--compare` diffs against an earlier JSON report; `--advise` prices the
 * stack's config alternatives (tools/offline/advisor.ts).
 */

const usage =
    "npm run cost -- (--stack <dev|prod|" +
    Object.keys(namedVariants).join("|") +
    "> | --preview-json <file> | --plan-json <file>) [--usage <file>|none] [--format table|json|markdown] [--compare <report.json>]  |  npm run cost -- --stack <dev|prod> --advise [--only <id,id>] [--format table|json|markdown]  |  npm run cost -- --reference <design.json> [--format table|json]";

const formats = ["table", "json", "markdown"] as const;
type Format = (typeof formats)[number];

function readJson(flag: string, file: string): unknown {
    if (!fs.existsSync(file)) {
        throw new FlagError(`--${flag}: expected a readable JSON file; found no file at "${file}". Fix: check the path.`);
    }
    const text = fs.readFileSync(file, "utf8");
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new FlagError(`--${flag}: expected JSON in "${file}"; found text that does not parse (${(err as Error).message}). Fix: pass the stdout of the command that wrote it, without log lines.`);
    }
}

function usageFrom(flag: string | undefined, stack: string): { doc?: UsageDocument; source: string } {
    if (flag === "none") return { source: "none" };
    if (flag !== undefined) {
        if (!fs.existsSync(flag)) {
            throw new FlagError(`--usage: expected a usage YAML file or "none"; found no file at "${flag}". Fix: pass cost/usage.${stack}.yaml or another file in that format.`);
        }
        return { doc: loadUsageFile(flag), source: flag };
    }
    const file = defaultUsagePath(stack);
    return file ? { doc: loadUsageFile(file), source: `cost/usage.${stack}.yaml` } : { source: "none" };
}

interface Priced {
    readonly report: CostReport;
    readonly baseline?: CostReport;
    /** The priced resources, for the stack's budget. */
    readonly inputs: readonly CostInput[];
}


async function price(flags: ReturnType<typeof parseFlags>): Promise<Priced> {
    const sources = ["stack", "preview-json", "plan-json"].filter((f) => flags.get(f) !== undefined);
    if (sources.length !== 1) {
        throw new FlagError(
            `expected exactly one of --stack, --preview-json, --plan-json; found ${sources.length === 0 ? "none" : sources.map((s) => `--${s}`).join(" and ")}. Fix: e.g. npm run cost -- --stack dev. Usage: ${usage}`,
        );
    }
    const stackFlag = flags.get("stack");
    if (stackFlag !== undefined) {
        const run = await runOffline(runOptionsFor(stackFlag));
        const u = usageFrom(flags.get("usage"), run.stack);
        const report = estimateRun(run, { usage: u.doc ?? "none" });
        return { report: { ...report, usageSource: u.source }, inputs: inputsFromRun(run) };
    }
    const previewFile = flags.get("preview-json");
    if (previewFile !== undefined) {
        const preview = parsePreviewDocument(readJson("preview-json", previewFile), previewFile);
        const u = usageFrom(flags.get("usage"), preview.stack);
        const options = { stack: preview.stack, region: preview.region, usage: u.doc, usageSource: u.source };
        const baseline = estimateCost(preview.baseline, { ...options, stack: `${preview.stack} (before the change)` });
        const report = estimateCost(preview.after, options);
        return { report: { ...report, warnings: [...preview.warnings, ...report.warnings] }, baseline, inputs: preview.after };
    }
    const planFile = flags.require("plan-json");
    const plan = parsePlanDocument(readJson("plan-json", planFile), planFile);
    const u = usageFrom(flags.get("usage"), plan.stack);
    const inputs = inputsFromPlan(plan);
    return { report: estimateCost(inputs, { stack: plan.stack, usage: u.doc, usageSource: u.source }), inputs };
}

/**
 * `--reference <design.json>`: dev and prod monthly totals at their default usage, and prod's ratio
 * to the reference design swapped into prod, at prod's usage.
 */
async function reference(file: string, format: Format): Promise<void> {
    const design = parseReferenceDesign(readJson("reference", file), file);
    const totals: Record<string, { monthly: CostReport["monthly"]; usageSource: string; notPriced: number }> = {};
    let comparison: ReturnType<typeof compareWithReference> | undefined;
    for (const stack of ["dev", "prod"]) {
        const run = await runOffline({ stack });
        const u = usageFrom(undefined, stack);
        const options = { stack, region: run.config["aws:region"], usage: u.doc, usageSource: u.source };
        const result = compareWithReference(inputsFromRun(run), design, options);
        totals[stack] = { monthly: result.stack.monthly, usageSource: u.source, notPriced: result.stack.notPriced.length };
        if (stack === "prod") comparison = result;
    }
    const c = comparison!;
    if (format === "json") {
        const doc = {
            currency: "USD",
            stacks: totals,
            reference: { design: file, usageSource: c.reference.usageSource, designOnly: c.designOnly.monthly, prodWithDesign: c.reference.monthly },
            prodToReferenceRatio: Math.round(c.ratio * 1000) / 1000,
        };
        process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
        return;
    }
    const lines = ["Monthly totals at default usage (USD):"];
    for (const [stack, t] of Object.entries(totals)) {
        lines.push(`  ${stack.padEnd(5)} fixed ${usd(t.monthly.fixed).padStart(10)}  usage ${usd(t.monthly.usage).padStart(10)}  total ${usd(t.monthly.total).padStart(10)}  (${t.usageSource}${t.notPriced ? `; ${t.notPriced} not priced` : ""})`);
    }
    lines.push(
        "",
        `Reference design ${file}, at prod's usage (${c.reference.usageSource}):`,
        `  the design's own resources        ${usd(c.designOnly.monthly.total).padStart(10)}`,
        ...c.designOnly.resources.map((r) => `    ${r.type} ${r.name}  ${usd(r.monthly)}`),
        `  prod with the design swapped in   ${usd(c.reference.monthly.total).padStart(10)}`,
        `  prod / reference                  ${c.ratio.toFixed(3)}`,
    );
    process.stdout.write(lines.join("\n") + "\n");
}

async function main(argv: string[]): Promise<number> {
    const flags = parseFlags(
        argv,
        { stack: "string", "preview-json": "string", "plan-json": "string", usage: "string", format: "string", compare: "string", reference: "string", advise: "boolean", only: "string" },
        usage,
    );
    const format = (flags.get("format") ?? "table") as Format;
    if (!formats.includes(format)) {
        throw new FlagError(`--format: expected one of ${formats.join(", ")}; found "${format}". Fix: --format table. Usage: ${usage}`);
    }
    const referenceFile = flags.get("reference");
    if (referenceFile !== undefined) {
        const others = ["stack", "preview-json", "plan-json", "usage", "compare"].filter((f) => flags.get(f) !== undefined);
        if (others.length > 0 || format === "markdown") {
            throw new FlagError(`--reference: expected alone (with --format table or json); found ${[...others.map((f) => `--${f}`), ...(format === "markdown" ? ["--format markdown"] : [])].join(", ")}. Fix: npm run cost -- --reference ${referenceFile}`);
        }
        await reference(referenceFile, format);
        return 0;
    }
    if (flags.bool("advise")) {
        const stack = flags.get("stack");
        const others = ["preview-json", "plan-json", "compare", "reference"].filter((f) => flags.get(f) !== undefined);
        if (stack === undefined || others.length > 0) {
            throw new FlagError(`--advise: expected --stack <dev|prod> (the advisor re-runs the stack's offline plan); found ${stack === undefined ? "no --stack" : ""}${others.map((f) => ` --${f}`).join("")}. Fix: npm run cost -- --stack prod --advise`);
        }
        const u = usageFrom(flags.get("usage"), stack);
        if (u.doc === undefined) {
            throw new FlagError(`--advise: expected a usage file for stack ${stack} (alternatives are compared at the same usage); found none. Fix: pass --usage cost/usage.${stack}.yaml`);
        }
        const only = flags.get("only")?.split(",").map((id) => id.trim()).filter((id) => id.length > 0);
        const onProgress = (done: number, total: number, id: string) => process.stderr.write(done < total ? `  [${done + 1}/${total}] ${id}\n` : "");
        const advice = await advise(stack, { usage: u.doc, usageSource: u.source, only, onProgress });
        process.stdout.write((format === "json" ? JSON.stringify(advice, null, 2) : format === "markdown" ? formatAdviceMarkdown(advice) : formatAdviceText(advice)) + "\n");
        return 0;
    }
    if (flags.get("only") !== undefined) {
        throw new FlagError(`--only: expected with --advise; found it alone. Fix: npm run cost -- --stack ${flags.get("stack") ?? "prod"} --advise --only ${flags.get("only")}`);
    }
    const compareFile = flags.get("compare");
    const compared = compareFile !== undefined ? parseJsonReport(readJson("compare", compareFile), compareFile) : undefined;
    const { report, baseline, inputs } = await price(flags);
    const budget = budgetVerdict(inputs, report);
    const change: CostDiff | undefined = baseline ? diffReports(baseline, report) : undefined;
    const diff: CostDiff | undefined = compared ? diffReports(compared, report) : undefined;
    switch (format) {
        case "json":
            process.stdout.write(JSON.stringify(toJsonReport(report, { baseline, change, diff, budget }), null, 2) + "\n");
            break;
        case "markdown":
            process.stdout.write(formatMarkdown(report, diff ?? change, budget) + "\n");
            break;
        case "table": {
            const heading = baseline ? `Monthly cost of stack ${report.stack} after the previewed change (USD, ${report.region}; usage: ${report.usageSource})` : undefined;
            const text = formatTable(report, change, heading, budget);
            process.stdout.write(text + (diff ? `\n\n${formatDiffText(diff)}` : "") + "\n");
            break;
        }
    }
    return 0;
}

// Exit only once stdout has flushed: a large JSON report into a pipe would otherwise be cut short.
main(process.argv.slice(2)).then(
    (code) => process.stdout.write("", () => process.exit(code)),
    (err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
    },
);
