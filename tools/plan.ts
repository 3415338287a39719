import { planDocument, planTree } from "./offline/plan-format";
import { runOffline } from "./offline/program";
import { parseFlags } from "./offline/flags";

/**
 * `npm run plan -- --stack <dev|prod> [--json]`: what a stack would create, from its real config,
 * without credentials or the Pulumi CLI. Exits 1 with the config error when the config is invalid.
 */
async function main(argv: string[]): Promise<number> {
    const flags = parseFlags(argv, { stack: "string", json: "boolean" }, "npm run plan -- --stack <dev|prod> [--json]");
    const run = await runOffline({ stack: flags.require("stack") });
    if (flags.bool("json")) {
        process.stdout.write(JSON.stringify(planDocument(run), null, 2) + "\n");
    } else {
        process.stdout.write(planTree(run) + "\n");
    }
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
    },
);
