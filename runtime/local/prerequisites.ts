import * as fs from "fs";
import * as path from "path";

/**
 * The tools `npm run local` needs on this machine, checked before anything starts so a newcomer
 * gets one line per missing tool with the Debian package that provides it, instead of a failure
 * deep inside a service script.
 *
 * - java (17+): the Kafka broker and Spark run on it.
 * - python3: creates the virtual environment with moto and PySpark (tools/services/python-env.sh);
 *   not needed once `.local/venv` exists.
 * - mvn: fetches the Kafka jars from Maven Central (tools/services/kafka.sh); not needed once
 *   `.local/kafka/libs` holds them.
 */
export interface Prerequisite {
    readonly tool: string;
    readonly why: string;
    /** The Debian/Ubuntu package that provides it. */
    readonly debianPackage: string;
}

export const prerequisites = {
    java: { tool: "java", why: "the Kafka broker and Spark run on Java 17+", debianPackage: "openjdk-17-jre-headless" },
    python3: { tool: "python3", why: "the virtual environment with moto and PySpark is created with it", debianPackage: "python3 python3-venv" },
    mvn: { tool: "mvn", why: "the Kafka broker jars are fetched from Maven Central with it", debianPackage: "maven" },
} as const satisfies Record<string, Prerequisite>;

export interface PrerequisiteProbe {
    /** Whether an executable of this name is on the PATH. */
    readonly onPath: (tool: string) => boolean;
    /** Whether a file exists (relative to the project root). */
    readonly exists: (relativePath: string) => boolean;
}

/** Files whose presence makes a tool unnecessary: what it would only have produced. */
export const prerequisiteShortcuts = {
    python3: ".local/venv/bin/python",
    mvn: ".local/kafka/libs/.complete",
} as const;

/** The prerequisites that are missing, in the order they are checked (java, python3, mvn). */
export function missingPrerequisites(probe: PrerequisiteProbe): Prerequisite[] {
    const missing: Prerequisite[] = [];
    if (!probe.onPath("java")) {
        missing.push(prerequisites.java);
    }
    if (!probe.exists(prerequisiteShortcuts.python3) && !probe.onPath("python3")) {
        missing.push(prerequisites.python3);
    }
    if (!probe.exists(prerequisiteShortcuts.mvn) && !probe.onPath("mvn")) {
        missing.push(prerequisites.mvn);
    }
    return missing;
}

/** One line per missing tool: what it is for and how to install it. */
export function prerequisiteMessage(missing: readonly Prerequisite[]): string {
    return missing
        .map((item) => `${item.tool} was not found on PATH (${item.why}); install it with: sudo apt-get install -y ${item.debianPackage}`)
        .join("\n");
}

/** The probe of this machine: the PATH of `env` and files under `root`. */
export function systemProbe(root: string, env: Readonly<Record<string, string | undefined>> = process.env): PrerequisiteProbe {
    const directories = (env.PATH ?? "").split(path.delimiter).filter((entry) => entry !== "");
    return {
        onPath: (tool) =>
            directories.some((directory) => {
                try {
                    fs.accessSync(path.join(directory, tool), fs.constants.X_OK);
                    return true;
                } catch {
                    return false;
                }
            }),
        exists: (relativePath) => fs.existsSync(path.join(root, relativePath)),
    };
}
