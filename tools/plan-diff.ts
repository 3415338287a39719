import * as fs from "fs";
import * as path from "path";
import { parseFlags } from "./offline/flags";
import { summarizeArchives } from "./offline/plan-format";
import { OfflineRun, runOffline } from "./offline/program";

/**
 * `npm run plan-diff -- --stack <dev|prod> --save <file>` records every resource the stack
 * registers (type, name, parent, inputs, every resource option) keyed by URN;
 * `npm run plan-diff -- --stack <dev|prod> --against <file>` runs the program again and prints
 * each difference, exiting 1 if there is any. A refactor that must not change the plan saves
 * before and compares after.
 */

export interface PlanSnapshot {
    readonly stack: string;
    readonly resources: Record<string, unknown>;
}

export function snapshot(run: OfflineRun): PlanSnapshot {
    const resources: Record<string, unknown> = {};
    for (const r of run.resources) {
        resources[r.urn] = {
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            custom: r.custom,
            // Code archives by digest: a closure's text changes only when what it captures does.
            inputs: summarizeArchives(r.inputs),
            secretPaths: [...r.secretPaths].sort(),
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            ignoreChanges: r.ignoreChanges,
            dependencies: r.dependencies,
            provider: r.provider ?? null,
            options: r.options,
        };
    }
    return { stack: run.stack, resources: withoutCheckoutPath(resources, path.resolve(__dirname, "..")) as Record<string, unknown> };
}

/**
 * Paths inside the checkout (the Batch image's build context and Dockerfile) written relative to
 * it as `<project>/...`, so two checkouts of the same commit give the same snapshot.
 */
export function withoutCheckoutPath(value: unknown, root: string): unknown {
    if (typeof value === "string") {
        return value === root || value.startsWith(`${root}${path.sep}`) ? `<project>${value.slice(root.length)}` : value;
    }
    if (Array.isArray(value)) {
        return value.map((item) => withoutCheckoutPath(item, root));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutCheckoutPath(item, root)]));
    }
    return value;
}

/** Every path at which two JSON values differ, as `path: before → after` lines. */
export function differences(before: unknown, after: unknown, path = ""): string[] {
    if (JSON.stringify(before) === JSON.stringify(after)) {
        return [];
    }
    const isObject = (v: unknown) => v !== null && typeof v === "object";
    if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
        const a = before as Record<string, unknown>;
        const b = after as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((k) => differences(a[k], b[k], path ? `${path} › ${k}` : k));
    }
    const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
    return [`${path}: ${show(before)} → ${show(after)}`];
}

async function main(argv: string[]): Promise<{ output: string; code: number }> {
    const usage = "npm run plan-diff -- --stack <dev|prod> (--save <file> | --against <file>)";
    const flags = parseFlags(argv, { stack: "string", save: "string", against: "string" }, usage);
    const stack = flags.require("stack");
    const save = flags.get("save");
    const against = flags.get("against");
    if ((save === undefined) === (against === undefined)) {
        throw new Error(`expected exactly one of --save and --against. Usage: ${usage}`);
    }
    const current = snapshot(await runOffline({ stack }));
    if (save !== undefined) {
        fs.writeFileSync(save, JSON.stringify(current, null, 1) + "\n");
        return { output: `${stack}: ${Object.keys(current.resources).length} resources saved to ${save}\n`, code: 0 };
    }
    const base = JSON.parse(fs.readFileSync(against!, "utf8")) as PlanSnapshot;
    const lines = differences(base.resources, JSON.parse(JSON.stringify(current.resources)));
    if (lines.length === 0) {
        return { output: `${stack}: ${Object.keys(current.resources).length} resources, identical to ${against}\n`, code: 0 };
    }
    return { output: `${stack}: ${lines.length} difference(s) from ${against}\n${lines.map((l) => `  ${l}`).join("\n")}\n`, code: 1 };
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        ({ output, code }) => process.stdout.write(output, () => process.exit(code)),
        (err: Error) => {
            process.stderr.write(`${err.message}\n`);
            process.exit(2);
        },
    );
}
