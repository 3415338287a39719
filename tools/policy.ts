import * as path from "path";
import { FlagError, parseFlags } from "./offline/flags";
import { projectRoot, runOffline } from "./offline/program";
import { namedVariants, runOptionsFor } from "./checkov-catalogue";
import { checkOfflineRun, packConfigPath, PolicyRunResult, Violation } from "../policies/runner/offline";

/**
 * `npm run policy -- --stack <dev|prod> [--json]`: runs the policy pack (policies/) against what
 * the offline plan declares for a stack, with the stack's pack config
 * (policies/config/<stack>.json): resource policies on each resource's inputs, stack policies on
 * all resources. Prints the violations grouped by enforcement level. Exit code: 0 when no
 * mandatory policy is violated, 1 when one is, 2 when the check could not run.
 */
const usage = `npm run policy -- --stack <dev|prod|${Object.keys(namedVariants).join("|")}> [--json]`;

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → `<type> <name>`. */
function describeUrn(urn: string | undefined): string {
    if (!urn) {
        return "(the whole stack)";
    }
    const parts = urn.split("::");
    const name = parts[parts.length - 1];
    const type = (parts[parts.length - 2] ?? "").split("$").pop();
    return `${type} ${name}`;
}

function section(title: string, violations: readonly Violation[]): string[] {
    if (violations.length === 0) {
        return [`${title} (0)`];
    }
    const lines = [`${title} (${violations.length}):`];
    for (const v of violations) {
        lines.push(`  ${v.policy}  ${describeUrn(v.urn)}`, `    ${v.message}`);
    }
    return lines;
}

export function formatText(result: PolicyRunResult, configFile: string): string {
    const mandatory = result.violations.filter((v) => v.level === "mandatory");
    const advisory = result.violations.filter((v) => v.level === "advisory");
    const verdict =
        result.mandatory > 0
            ? `FAIL: ${result.mandatory} mandatory violation${result.mandatory === 1 ? "" : "s"} block stack ${result.stack} (${result.advisory} advisory).`
            : `PASS: no mandatory violations in stack ${result.stack} (${result.advisory} advisory).`;
    return [
        `Policy check of stack ${result.stack}: ${result.policies} policies on ${result.resources} resources (pack config ${configFile})`,
        "",
        ...section("Mandatory violations", mandatory),
        "",
        ...section("Advisory violations", advisory),
        "",
        verdict,
    ].join("\n");
}

export function formatJson(result: PolicyRunResult): string {
    return JSON.stringify(
        {
            stack: result.stack,
            policies: result.policies,
            violations: result.violations.map((v) => ({ policy: v.policy, level: v.level, urn: v.urn ?? null, message: v.message })),
            mandatory: result.mandatory,
            advisory: result.advisory,
        },
        null,
        2,
    );
}

async function main(argv: string[]): Promise<number> {
    const flags = parseFlags(argv, { stack: "string", json: "boolean" }, usage);
    const stack = flags.require("stack");
    const run = await runOffline(runOptionsFor(stack));
    const result = await checkOfflineRun(run);
    const configFile = path.relative(projectRoot, packConfigPath(run.stack));
    process.stdout.write((flags.bool("json") ? formatJson(result) : formatText(result, configFile)) + "\n");
    return result.mandatory > 0 ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: Error) => {
            process.stderr.write(`${err instanceof FlagError ? "" : "policy check failed: "}${err.message}\n`);
            process.exit(2);
        },
    );
}
