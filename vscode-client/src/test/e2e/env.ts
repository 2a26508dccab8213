/**
 * Sets up what the e2e drives: the packaged .vsix, code-server (installed by
 * scripts/install-code-server.sh), the scripted LLM (test-fixtures/scripted-llm/serve.py), and a
 * `Stack` that stops every process started here.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const CLIENT_DIR = path.resolve(__dirname, '..', '..', '..');
export const REPO_DIR = path.resolve(CLIENT_DIR, '..');
export const RESULTS_DIR = path.join(CLIENT_DIR, 'test-results');

/** Where a run writes its screenshots and logs: test-results/, or test-results/model/ for the model run. */
export function resultsDir(backend: Backend): string {
    return backend === 'local' ? path.join(RESULTS_DIR, 'model') : RESULTS_DIR;
}

/**
 * The embedded model the e2e sets as `sstar.localModel`: the 0.5B, twice as fast as the default
 * 1.5B on the 2-core CI machine (the Python tests pin the same one in tests/support/models.py).
 */
export const E2E_LOCAL_MODEL = 'qwen2.5-coder-0.5b';

export type ServerKind = 'fake' | 'real';
/** Which model answers: the scripted LLM (default, deterministic) or the embedded local model. */
export type Backend = 'scripted' | 'local';

export interface E2EConfig {
    server: ServerKind;
    backend: Backend;
    python: string;
    codeServerEntry: string;
    timeoutMs: number;
}

export function configFromEnv(): E2EConfig {
    const server = (process.env.SSTAR_E2E_SERVER ?? 'real') as ServerKind;
    if (server !== 'fake' && server !== 'real') throw new Error(`SSTAR_E2E_SERVER must be fake or real, not ${String(server)}`);
    const backend = (process.env.SSTAR_E2E_BACKEND ?? 'scripted') as Backend;
    if (backend !== 'scripted' && backend !== 'local') throw new Error(`SSTAR_E2E_BACKEND must be scripted or local, not ${String(backend)}`);
    if (backend === 'local' && server === 'fake') throw new Error('SSTAR_E2E_BACKEND=local needs the real server');
    const venvPython = path.join(REPO_DIR, '.venv', 'bin', 'python');
    return {
        server,
        backend,
        python: process.env.SSTAR_E2E_PYTHON ?? (fs.existsSync(venvPython) ? venvPython : 'python3'),
        codeServerEntry: process.env.CODE_SERVER_ENTRY ?? '',
        timeoutMs: Number(process.env.SSTAR_E2E_TIMEOUT_MS ?? (backend === 'local' ? 1200000 : 180000)),
    };
}

/** Runs scripts/install-code-server.sh (idempotent, cached) and returns code-server's entry.js. */
export function ensureCodeServer(config: E2EConfig): string {
    if (config.codeServerEntry !== '') return config.codeServerEntry;
    const out = execFileSync('bash', [path.join(CLIENT_DIR, 'scripts', 'install-code-server.sh')], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = out.trim().split('\n');
    return lines[lines.length - 1] ?? '';
}

/** Builds the .vsix with `npm run package` (vsce) and returns its path. */
export function packageVsix(): string {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: CLIENT_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
    return path.join(CLIENT_DIR, VSIX_NAME);
}

export const VSIX_NAME = 'sstar-lsp.vsix';

/** The entry names of a .vsix (a zip), read with Python's zipfile (Node has no zip reader). */
export function vsixEntries(python: string, vsix: string): string[] {
    const out = execFileSync(python, ['-c', 'import json, sys, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix],
        { encoding: 'utf8' });
    return JSON.parse(out) as string[];
}

/**
 * Entries that must not ship: tests, sources, source maps, fixtures, results, build scripts, and
 * (the extension being one esbuild bundle in dist/) tsc's out/ and node_modules.
 */
export function unwantedEntries(entries: readonly string[]): string[] {
    return entries.filter((e) => /(^|\/)(tests?|__tests__|test-fixtures|test-results|src|scripts|\.vscode-test|out|node_modules)\//.test(e)
        || /\.(map|ts|tsbuildinfo|vsix)$/.test(e) || /(^|\/)(tsconfig\.json|eslint\.config\.mjs|\.gitignore)$/.test(e));
}

/** SHA-256 (16 hex digits) of an API key, as test-fixtures/scripted-llm/serve.py logs it. */
export function keyFingerprint(key: string): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export class Stack {
    private readonly children: ChildProcess[] = [];
    private readonly cleanups: (() => Promise<void> | void)[] = [];

    defer(fn: () => Promise<void> | void): void { this.cleanups.push(fn); }

    /**
     * Spawns a process in its own process group (so closing kills its children too); stdout and
     * stderr are copied to `log` and kept readable through `output()` for `waitForOutput`.
     */
    spawn(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; log: string }): ChildProcess {
        const log = fs.createWriteStream(options.log, { flags: 'a' });
        const child = spawn(command, args, {
            cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
        child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
        child.once('exit', () => log.end());
        this.children.push(child);
        return child;
    }

    async close(): Promise<void> {
        for (const fn of this.cleanups.reverse()) {
            try { await fn(); } catch { /* keep closing the rest */ }
        }
        for (const child of this.children.reverse()) {
            if (child.pid === undefined || child.exitCode !== null) continue;
            const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            try { process.kill(-child.pid, 'SIGTERM'); } catch { continue; }
            const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
            await exited;
            clearTimeout(timer);
        }
    }
}

/** Resolves with the first output (stdout or stderr) matching `pattern` (its first group). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
        let buffer = '';
        const cleanup = (): void => {
            clearTimeout(timer);
            child.stdout?.off('data', onData);
            child.stderr?.off('data', onData);
            child.off('exit', onExit);
        };
        const timer = setTimeout(() => { cleanup(); reject(new Error(`${what}: nothing matching ${String(pattern)} within ${timeoutMs} ms`)); }, timeoutMs);
        const onData = (chunk: Buffer): void => {
            buffer += chunk.toString('utf8');
            const match = pattern.exec(buffer);
            if (match !== null) {
                cleanup();
                resolve(match[1] ?? match[0]);
            }
        };
        const onExit = (code: number | null): void => { cleanup(); reject(new Error(`${what} exited (${String(code)}) before it was ready:\n${buffer}`)); };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', onExit);
    });
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts test-fixtures/scripted-llm/serve.py (the repository's scripted OpenAI-compatible server
 * with the e2e's script) and resolves with its base URL. `log` gets one JSON line per request.
 */
export function startScriptedLlm(stack: Stack, python: string, log: string, output: string): Promise<string> {
    const serve = path.join(CLIENT_DIR, 'test-fixtures', 'scripted-llm', 'serve.py');
    const llm = stack.spawn(python, [serve, '--log', log], { cwd: REPO_DIR, log: output });
    return waitForOutput(llm, /LISTENING (\S+)/, 30000, 'scripted LLM');
}

export function readJsonLines(file: string): Record<string, unknown>[] {
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
