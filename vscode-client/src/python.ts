/**
 * Finds the Python interpreter that runs the server: `sstar.interpreter`, else the Python
 * extension's active environment, else `python3`; the first one that can `import lsp_server`
 * wins. An explicit setting is never silently replaced by a fallback.
 */
import { execFile } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { Event, Uri } from 'vscode';
import { getExtension } from './vscodeapi';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface Candidate {
    command: string;
    source: InterpreterSource;
}

export interface ImportCheck {
    ok: boolean;
    /** Why it failed (stderr's last line, or the spawn error), '' when ok. */
    reason: string;
}

export interface ResolveDeps {
    /** `sstar.interpreter` ('' when unset). */
    setting: string;
    /** First workspace folder, for `${workspaceFolder}` in the setting. */
    workspaceFolder?: string;
    /** The Python extension's active interpreter, undefined when the extension is absent. */
    activeEnvironment(): Promise<string | undefined>;
    canImportServer(command: string): Promise<ImportCheck>;
}

export type Resolution =
    | { ok: true; interpreter: Candidate }
    | { ok: false; tried: { candidate: Candidate; reason: string }[]; message: string };

export const DEFAULT_PYTHON = 'python3';
export const SERVER_MODULE = 'lsp_server';

/** Expands `${workspaceFolder}`, `${userHome}` and a leading `~`. */
export function expandPath(value: string, workspaceFolder: string | undefined): string {
    let out = value.trim();
    if (workspaceFolder !== undefined) {
        out = out.split('${workspaceFolder}').join(workspaceFolder);
    }
    out = out.split('${userHome}').join(os.homedir());
    if (out === '~' || out.startsWith('~/')) {
        out = path.join(os.homedir(), out.slice(1));
    }
    return out;
}

/** The interpreters to try, in order. */
export async function candidates(deps: Pick<ResolveDeps, 'setting' | 'workspaceFolder' | 'activeEnvironment'>): Promise<Candidate[]> {
    if (deps.setting !== '') {
        return [{ command: expandPath(deps.setting, deps.workspaceFolder), source: 'setting' }];
    }
    const out: Candidate[] = [];
    const active = await deps.activeEnvironment().catch(() => undefined);
    if (active !== undefined && active !== '') {
        out.push({ command: active, source: 'python-extension' });
    }
    if (!out.some((c) => c.command === DEFAULT_PYTHON)) {
        out.push({ command: DEFAULT_PYTHON, source: 'default' });
    }
    return out;
}

function describe(c: Candidate): string {
    switch (c.source) {
        case 'setting': return `${c.command} (from the setting sstar.interpreter)`;
        case 'python-extension': return `${c.command} (the Python extension's active environment)`;
        case 'default': return `${c.command} (on PATH)`;
    }
}

/** The user-facing message when no candidate can import the server; it says how to fix it. */
export function notFoundMessage(tried: { candidate: Candidate; reason: string }[]): string {
    const lines = tried.map((t) => `${describe(t.candidate)}: ${t.reason}`).join('; ');
    const example = tried[0]?.candidate.command ?? DEFAULT_PYTHON;
    return `S*: no Python interpreter with the S* language server was found (tried ${lines}). ` +
        `Install it into your interpreter (\`${example} -m pip install sstar-lsp\`, or ` +
        `\`pip install -e <sstar-lsp checkout>\`), or set "sstar.interpreter" to a Python that can ` +
        `\`import ${SERVER_MODULE}\`, then run "S*: Restart Server".`;
}

export async function resolveInterpreter(deps: ResolveDeps): Promise<Resolution> {
    const tried: { candidate: Candidate; reason: string }[] = [];
    for (const candidate of await candidates(deps)) {
        const check = await deps.canImportServer(candidate.command);
        if (check.ok) {
            return { ok: true, interpreter: candidate };
        }
        tried.push({ candidate, reason: check.reason });
    }
    return { ok: false, tried, message: notFoundMessage(tried) };
}

/**
 * Environment for the check and the server: PYTHONSAFEPATH keeps a user's own `sandbox.py` or
 * `sstar/` in the workspace (the server's cwd) from shadowing the server's packages.
 */
export function serverEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return { ...base, PYTHONSAFEPATH: '1', PYTHONUNBUFFERED: '1' };
}

/** Runs `<python> -c "import lsp_server"`; never throws. */
export function checkImport(command: string, cwd: string | undefined, timeoutMs = 30000): Promise<ImportCheck> {
    return new Promise((resolve) => {
        execFile(command, ['-c', `import ${SERVER_MODULE}`], { cwd, env: serverEnv(), timeout: timeoutMs, maxBuffer: 1024 * 1024 },
            (error, _stdout, stderr) => {
                if (error === null) {
                    resolve({ ok: true, reason: '' });
                    return;
                }
                const code = (error as NodeJS.ErrnoException).code;
                if (code === 'ENOENT') {
                    resolve({ ok: false, reason: 'not found' });
                    return;
                }
                const last = String(stderr).trim().split('\n').pop() ?? '';
                resolve({ ok: false, reason: last !== '' ? last : error.message });
            });
    });
}

/** The part of the ms-python.python API we use (`environments`, API version 2023+). */
interface PythonEnvironmentsApi {
    environments: {
        getActiveEnvironmentPath(resource?: Uri): { id: string; path: string };
        resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable: { uri?: Uri } } | undefined>;
        onDidChangeActiveEnvironmentPath: Event<unknown>;
    };
}

async function pythonApi(): Promise<PythonEnvironmentsApi | undefined> {
    const extension = getExtension<PythonEnvironmentsApi>('ms-python.python');
    if (extension === undefined) return undefined;
    const api = extension.isActive ? extension.exports : await extension.activate();
    return api?.environments !== undefined ? api : undefined;
}

/** The Python extension's active interpreter executable for `resource`, if that extension is installed. */
export async function activeEnvironmentPath(resource?: Uri): Promise<string | undefined> {
    const api = await pythonApi();
    if (api === undefined) return undefined;
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
}

/** Calls `listener` when the Python extension's active environment changes (no-op without it). */
export async function onActiveEnvironmentChanged(listener: () => void): Promise<{ dispose(): void } | undefined> {
    const api = await pythonApi().catch(() => undefined);
    return api?.environments.onDidChangeActiveEnvironmentPath(() => listener());
}
