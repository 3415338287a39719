import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { RecordedResource } from "../../tools/offline/program";

const execFileAsync = promisify(execFile);
const repositoryRoot = path.resolve(__dirname, "..", "..");

/**
 * Writes the code archive the program recorded for a Lambda function (the closure Pulumi
 * serialized for `aws.lambda.CallbackFunction`, plus its bundled packages) out as the Lambda
 * package would be unpacked, with `node_modules` linked to the repository's.
 */
export function unpackFunction(fn: RecordedResource): string {
    const code = fn.inputs.code as { archive?: Record<string, { text?: string; path?: string }> } | undefined;
    const entry = code?.archive?.["__index.js"]?.text;
    if (!entry) {
        throw new Error(`${fn.name}: the recorded code has no __index.js; is it a CallbackFunction?`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${fn.name}-`));
    fs.writeFileSync(path.join(dir, "__index.js"), entry);
    fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/** The function's environment variables as recorded. */
export function functionEnvironment(fn: RecordedResource): Record<string, string> {
    // A copy: the recorded plan is cached and shared (the IAM simulation reads the declared variables), so tests may change theirs freely.
    return { ...((fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}) } as Record<string, string>;
}

export interface Invocation {
    readonly result?: unknown;
    readonly error?: { readonly name: string; readonly message: string };
    readonly stdout: string;
}

/**
 * Loads `__index.js` in a fresh Node process, the way the Lambda runtime does, and calls its
 * `handler` export once with `event`. Only the given variables (and PATH) are in its environment.
 */
export async function invokeFresh(dir: string, event: unknown, env: Record<string, string>): Promise<Invocation> {
    const eventFile = path.join(dir, `event-${process.hrtime.bigint()}.json`);
    fs.writeFileSync(eventFile, JSON.stringify(event));
    const script = `
        const entry = require(${JSON.stringify(path.join(dir, "__index.js"))});
        if (typeof entry.handler !== "function") { process.stdout.write("\\nERROR " + JSON.stringify({ name: "NoHandler", message: "exports.handler is " + typeof entry.handler }) + "\\n"); process.exit(0); }
        const event = JSON.parse(require("fs").readFileSync(${JSON.stringify(eventFile)}, "utf8"));
        Promise.resolve().then(() => entry.handler(event, { awsRequestId: "offline", functionName: "offline" })).then(
            (result) => process.stdout.write("\\nRESULT " + JSON.stringify(result === undefined ? null : result) + "\\n"),
            (error) => process.stdout.write("\\nERROR " + JSON.stringify({ name: error.name, message: error.message }) + "\\n"));`;
    const { stdout } = await execFileAsync(process.execPath, ["-e", script], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "offline", AWS_SECRET_ACCESS_KEY: "offline", ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
    });
    const result = /^RESULT (.*)$/m.exec(stdout)?.[1];
    const error = /^ERROR (.*)$/m.exec(stdout)?.[1];
    return { ...(result !== undefined ? { result: JSON.parse(result) } : {}), ...(error ? { error: JSON.parse(error) } : {}), stdout };
}
