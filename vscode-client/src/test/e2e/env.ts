/**
 * Sets up what the e2e drives: the packaged .vsix, a throwaway workspace and user-data-dir,
 * code-server (installed by scripts/install-code-server.sh), the scripted LLM, and Chromium.
 * Every process started here is stopped by `Stack.close()`.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const CLIENT_DIR = path.resolve(__dirname, '..', '..', '..');
export const REPO_DIR = path.resolve(CLIENT_DIR, '..');
export const RESULTS_DIR = path.join(CLIENT_DIR, 'test-results');

export type ServerKind = 'fake' | 'real';

export interface E2EConfig {
    server: ServerKind;
    python: string;
    /** An OpenAI-compatible base URL; '' = start tests/support/scripted_llm.py. */
    llmUrl: string;
    codeServerEntry: string;
    timeoutMs: number;
}

export function configFromEnv(): E2EConfig {
    const realExists = fs.existsSync(path.join(REPO_DIR, 'lsp_server', '__main__.py'));
    const server = (process.env.SSTAR_E2E_SERVER ?? (realExists ? 'real' : 'fake')) as ServerKind;
    if (server !== 'fake' && server !== 'real') throw new Error(`SSTAR_E2E_SERVER must be fake or real, not ${String(server)}`);
    const venvPython = path.join(REPO_DIR, '.venv', 'bin', 'python');
    return {
        server,
        python: process.env.SSTAR_E2E_PYTHON ?? (fs.existsSync(venvPython) ? venvPython : 'python3'),
        llmUrl: process.env.SSTAR_E2E_LLM_URL ?? '',
        codeServerEntry: process.env.CODE_SERVER_ENTRY ?? '',
        timeoutMs: Number(process.env.SSTAR_E2E_TIMEOUT_MS ?? 180000),
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

/** Packages the extension with vsce into `dir` and returns the .vsix path. */
export function packageVsix(dir: string): string {
    const vsix = path.join(dir, 'sstar-lsp.vsix');
    execFileSync(path.join(CLIENT_DIR, 'node_modules', '.bin', 'vsce'), ['package', '--out', vsix], {
        cwd: CLIENT_DIR, stdio: ['ignore', 'ignore', 'inherit'],
    });
    return vsix;
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
