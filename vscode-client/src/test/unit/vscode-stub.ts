/**
 * A stand-in `vscode` module for unit tests: registered in require's cache before the modules
 * under test load, with state the tests set (configuration values, extensions, progress calls).
 * Import this first in every unit test file.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require('module');

type Listener = (...args: unknown[]) => unknown;

export interface ProgressCall {
    options: { location: number; title?: string; cancellable?: boolean };
    reports: { message?: string; increment?: number }[];
    cancel(): void;
    done: Promise<unknown>;
}

export const state = {
    config: new Map<string, unknown>(),
    extensions: new Map<string, unknown>(),
    progress: [] as ProgressCall[],
    reset(): void {
        this.config.clear();
        this.extensions.clear();
        this.progress.length = 0;
    },
};

function configuration(section: string): { get(key: string, fallback?: unknown): unknown } {
    return {
        get: (key: string, fallback?: unknown) => {
            const full = `${section}.${key}`;
            return state.config.has(full) ? state.config.get(full) : fallback;
        },
    };
}

const vscode = {
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    Uri: {
        parse: (value: string) => ({ toString: () => value, fsPath: value.replace(/^file:\/\//, '') }),
        file: (p: string) => ({ toString: () => `file://${p}`, fsPath: p }),
    },
    workspace: {
        getConfiguration: (section: string) => configuration(section),
        workspaceFolders: undefined,
        onDidChangeConfiguration: (_l: Listener) => ({ dispose: () => undefined }),
    },
    extensions: {
        getExtension: (id: string) => state.extensions.get(id),
    },
    env: { logLevel: 3 },
    commands: {
        registerCommand: (_id: string, _cb: Listener) => ({ dispose: () => undefined }),
        executeCommand: () => Promise.resolve(undefined),
    },
    window: {
        activeTextEditor: undefined,
        createOutputChannel: () => { throw new Error('not in unit tests'); },
        createStatusBarItem: () => ({ show: () => undefined, dispose: () => undefined }),
        withProgress: (options: ProgressCall['options'], task: (p: unknown, t: unknown) => Promise<unknown>) => {
            const listeners: Listener[] = [];
            const call: ProgressCall = {
                options,
                reports: [],
                cancel: () => listeners.forEach((l) => l()),
                done: Promise.resolve(),
            };
            const progress = { report: (value: { message?: string; increment?: number }) => call.reports.push(value) };
            const token = { isCancellationRequested: false, onCancellationRequested: (l: Listener) => { listeners.push(l); return { dispose: () => undefined }; } };
            call.done = task(progress, token);
            state.progress.push(call);
            return call.done;
        },
        showErrorMessage: () => Promise.resolve(undefined),
        showWarningMessage: () => Promise.resolve(undefined),
        showInformationMessage: () => Promise.resolve(undefined),
        showQuickPick: () => Promise.resolve(undefined),
        showInputBox: () => Promise.resolve(undefined),
    },
};

interface ModuleInternals {
    _resolveFilename: (this: unknown, request: string, ...rest: unknown[]) => string;
}
const internals = Module as unknown as ModuleInternals;
const original = internals._resolveFilename;
internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'vscode' ? 'vscode' : original.call(this, request, ...rest);
};
const cache = require.cache as Record<string, unknown>;
cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
