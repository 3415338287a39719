import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalServiceUse } from "./summary";
import { LocalService, LocalSettings, localServiceEnv, serviceAddress } from "./settings";
import { LocalRunError } from "./errors";

/**
 * Starting, reusing and stopping the local services for `npm run local`, always through the
 * project's own scripts (tools/services/<name>.sh start|status|stop). A service that already answers
 * is reused and never stopped by this code; the ones `npm run local` started are recorded in
 * `.local/local-run/services.json`, so `npm run local -- --down` stops exactly those.
 */

export const localServices: readonly LocalService[] = ["moto", "kafka", "postgres"];

/** The project root (where tools/ and .local/ are). */
export const projectRoot = path.resolve(__dirname, "..", "..");

/** Where `npm run local` keeps its own state and local lake paths. */
export function localRunDirectory(root = projectRoot): string {
    return path.join(root, ".local", "local-run");
}

/** What `.local/local-run/services.json` holds: each service npm run local started, with its ports. */
export interface ServiceState {
    readonly started: Partial<Record<LocalService, Readonly<Record<string, string>>>>;
}

export function statePath(root = projectRoot): string {
    return path.join(localRunDirectory(root), "services.json");
}

export function readServiceState(root = projectRoot): ServiceState {
    const file = statePath(root);
    if (!fs.existsSync(file)) {
        return { started: {} };
    }
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<ServiceState>;
    return { started: parsed.started ?? {} };
}

export function writeServiceState(state: ServiceState, root = projectRoot): void {
    fs.mkdirSync(localRunDirectory(root), { recursive: true });
    fs.writeFileSync(statePath(root), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The state after a run: services this run started are added (with the ports they listen on),
 * services it reused keep whatever an earlier run recorded.
 */
export function recordStarted(state: ServiceState, uses: readonly LocalServiceUse[], env: Readonly<Record<string, string>>): ServiceState {
    const started = { ...state.started };
    for (const use of uses) {
        if (use.startedByThisRun) {
            started[use.name] = env;
        }
    }
    return { started };
}

export interface ScriptResult {
    readonly code: number;
    readonly output: string;
}

/** Runs `tools/services/<service>.sh <verb>` with the run's ports; output goes to `log` and is returned. */
export function runServiceScript(service: LocalService, verb: "start" | "stop" | "status", env: Readonly<Record<string, string>>, log: (text: string) => void, root = projectRoot): Promise<ScriptResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(root, "tools", "services", `${service}.sh`), [verb], {
            cwd: root,
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        const collect = (chunk: Buffer) => {
            output += chunk.toString("utf8");
            if (verb !== "status") {
                log(chunk.toString("utf8"));
            }
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });
}

/**
 * Makes every service answer: reuses a running one, starts the others with their script. Fails with
 * the script's own message (which names the fix) when one does not start.
 */
export async function ensureServices(settings: LocalSettings, log: (text: string) => void, root = projectRoot): Promise<LocalServiceUse[]> {
    const env = localServiceEnv(settings);
    const uses: LocalServiceUse[] = [];
    for (const service of localServices) {
        const status = await runServiceScript(service, "status", env, log, root);
        let startedByThisRun = false;
        if (status.code !== 0) {
            log(`starting ${service} (tools/services/${service}.sh start)\n`);
            const started = await runServiceScript(service, "start", env, log, root);
            if (started.code !== 0) {
                throw new LocalRunError(`${service} did not start: tools/services/${service}.sh start exited with ${started.code}: ${started.output.trim().split("\n").slice(-3).join(" | ")}`);
            }
            startedByThisRun = true;
        }
        uses.push({ name: service, endpoint: serviceAddress(settings, service), startedByThisRun });
    }
    return uses;
}

/** Stops the services recorded as started by `npm run local` (with the ports they were started on) and clears the record. */
export async function stopStartedServices(log: (text: string) => void, root = projectRoot): Promise<LocalService[]> {
    const state = readServiceState(root);
    const stopped: LocalService[] = [];
    for (const service of localServices) {
        const env = state.started[service];
        if (env === undefined) {
            continue;
        }
        const result = await runServiceScript(service, "stop", env, log, root);
        if (result.code !== 0) {
            throw new LocalRunError(`tools/services/${service}.sh stop exited with ${result.code}: ${result.output.trim()}`);
        }
        stopped.push(service);
    }
    writeServiceState({ started: {} }, root);
    return stopped;
}
