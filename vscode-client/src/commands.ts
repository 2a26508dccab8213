/**
 * Command palette commands. Each one only forwards to a server command (`workspace/executeCommand`)
 * with the cursor's location, or manages the client itself (restart, output, API key).
 * Client command ids differ from the server's (`sstar.solve`, ...) because the language client
 * registers the server's ids itself.
 */
import { Disposable, QuickPickItem } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { traceError, traceInfo } from './logging';
import {
    activeTextEditor,
    registerCommand,
    showErrorMessage,
    showInformationMessage,
    showInputBox,
    showQuickPick,
    showWarningMessage,
} from './vscodeapi';

export const SERVER_COMMANDS = {
    solve: 'sstar.solve',
    regenerate: 'sstar.regenerate',
    cancel: 'sstar.cancel',
    showCandidates: 'sstar.showCandidates',
    applyCandidate: 'sstar.applyCandidate',
} as const;

export const CLIENT_COMMANDS = {
    solveAtCursor: 'sstar.solveAtCursor',
    regenerateAtCursor: 'sstar.regenerateAtCursor',
    solveAnywayAtCursor: 'sstar.solveAnywayAtCursor',
    cancelJobs: 'sstar.cancelJobs',
    pickCandidate: 'sstar.pickCandidate',
    showOutput: 'sstar.showOutput',
    restartServer: 'sstar.restartServer',
    setApiKey: 'sstar.setApiKey',
    clearApiKey: 'sstar.clearApiKey',
} as const;

export interface CursorArgs {
    uri: string;
    version: number;
    position: { line: number; character: number };
}

export interface CandidateInfo {
    id: string | number;
    code: string;
    passed: number;
    total: number;
    group?: string | number | null;
    chosen?: boolean;
    /** The line of its body that tells it apart from the others (from the server). */
    difference?: string;
    differenceLine?: number;
}

export interface CandidateItem extends QuickPickItem { candidateId: string | number }

interface EditorLike {
    document: { uri: { toString(): string }; version: number; languageId: string };
    selection: { active: { line: number; character: number } };
}

/** `{uri, version, position}` of the active Python editor's cursor, or undefined. */
export function cursorArgs(editor: EditorLike | undefined): CursorArgs | undefined {
    if (editor === undefined || editor.document.languageId !== 'python') return undefined;
    const { line, character } = editor.selection.active;
    return { uri: editor.document.uri.toString(), version: editor.document.version, position: { line, character } };
}

/**
 * A one-line preview of a candidate's body: its statements after the signature and the docstring
 * (every candidate repeats the docstring, so showing it would tell them apart not at all).
 */
export function bodyPreview(code: string, maxLength = 120): string {
    const lines = code.split('\n');
    const at = (n: number): string => lines[n] ?? '';
    let i = lines.findIndex((l) => /^\s*(async\s+)?def\s/.test(l));
    if (i < 0) return '';
    while (i < lines.length && !/:\s*(#.*)?$/.test(at(i))) i++; // a signature may span lines
    i += 1;
    while (i < lines.length && at(i).trim() === '') i++;
    const first = at(i).trim();
    const quote = /^[rRuU]?("""|''')/.exec(first)?.[1];
    if (quote !== undefined) {
        const open = first.indexOf(quote);
        let end = first.indexOf(quote, open + 3) >= 0 ? i : i + 1;
        while (end < lines.length && !at(end).includes(quote)) end++;
        i = end + 1;
    }
    const text = lines.slice(i).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).join('; ');
    return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** What tells a candidate apart: the server's first differing line (with its line in the body), else its body. */
export function differenceOf(c: CandidateInfo): string {
    if (typeof c.difference !== 'string') return bodyPreview(c.code);
    const where = typeof c.differenceLine === 'number' && c.differenceLine > 1 ? `line ${c.differenceLine}: ` : '';
    return `${where}${c.difference}`;
}

/** QuickPick rows for `sstar.showCandidates`' result: best pass count first, the chosen one marked. */
export function candidateItems(candidates: readonly CandidateInfo[]): CandidateItem[] {
    const sorted = [...candidates].sort((a, b) =>
        Number(b.chosen === true) - Number(a.chosen === true) || b.passed - a.passed);
    return sorted.map((c) => {
        const mark = c.chosen === true ? '$(check) ' : '';
        return {
            label: `${mark}${c.passed}/${c.total} passed`,
            description: `candidate ${String(c.id)}${c.group !== undefined && c.group !== null ? ` · group ${String(c.group)}` : ''}${c.chosen === true ? ' · chosen' : ''}`,
            detail: differenceOf(c),
            candidateId: c.id,
        };
    });
}

export interface CommandDeps {
    client(): LanguageClient | undefined;
    restart(): Promise<void>;
    showOutput(): void;
    setApiKey(key: string): Promise<void>;
    clearApiKey(): Promise<void>;
}

async function execute<T>(deps: CommandDeps, command: string, args: unknown): Promise<T | undefined> {
    const client = deps.client();
    if (client === undefined || !client.isRunning()) {
        void showErrorMessage('S*: the language server is not running. Run "S*: Show Output" to see why, then "S*: Restart Server".');
        return undefined;
    }
    try {
        return (await client.sendRequest('workspace/executeCommand', { command, arguments: [args] })) as T;
    } catch (error) {
        traceError(`${command} failed`, error);
        void showErrorMessage(`S*: ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
    }
}

function needEditor(): CursorArgs | undefined {
    const args = cursorArgs(activeTextEditor());
    if (args === undefined) {
        void showWarningMessage('S*: put the cursor inside a Python function stub first.');
    }
    return args;
}

export function registerCommands(deps: CommandDeps): Disposable[] {
    return [
        registerCommand(CLIENT_COMMANDS.solveAtCursor, async () => {
            const args = needEditor();
            if (args === undefined) return;
            // A refused solve answers {jobId: null, message}; the server has shown the message.
            const result = await execute<{ jobId?: string | null }>(deps, SERVER_COMMANDS.solve, args);
            if (typeof result?.jobId === 'string') traceInfo(`solve job ${result.jobId} started`);
        }),
        registerCommand(CLIENT_COMMANDS.solveAnywayAtCursor, async () => {
            const args = needEditor();
            if (args === undefined) return;
            // The function at the cursor, whatever its body: the new body replaces it (force).
            const result = await execute<{ jobId?: string | null }>(deps, SERVER_COMMANDS.solve, { ...args, force: true });
            if (typeof result?.jobId === 'string') traceInfo(`forced solve job ${result.jobId} started`);
        }),
        registerCommand(CLIENT_COMMANDS.regenerateAtCursor, async () => {
            const args = needEditor();
            if (args === undefined) return;
            const { uri, position } = args;
            const result = await execute<{ jobId?: string | null }>(deps, SERVER_COMMANDS.regenerate, { uri, position });
            if (typeof result?.jobId === 'string') traceInfo(`regenerate job ${result.jobId} started`);
        }),
        registerCommand(CLIENT_COMMANDS.cancelJobs, async () => {
            const result = await execute<{ cancelled?: string[] }>(deps, SERVER_COMMANDS.cancel, {});
            if (result === undefined) return;
            const n = result.cancelled?.length ?? 0;
            void showInformationMessage(n === 0 ? 'S*: nothing to cancel.' : `S*: cancelled ${n} job(s).`);
        }),
        registerCommand(CLIENT_COMMANDS.pickCandidate, async () => {
            const args = needEditor();
            if (args === undefined) return;
            const { uri, position } = args;
            const result = await execute<{ qualname?: string; candidates?: CandidateInfo[] }>(
                deps, SERVER_COMMANDS.showCandidates, { uri, position });
            if (result === undefined) return;
            if (result.qualname === undefined || result.candidates === undefined || result.candidates.length === 0) {
                void showInformationMessage('S*: no candidates for this function yet. Run "Solve with S*" first.');
                return;
            }
            const picked = await showQuickPick(candidateItems(result.candidates), {
                title: `S* candidates for ${result.qualname}`,
                placeHolder: 'Pick a candidate to put in place of the body',
                matchOnDetail: true,
            });
            if (picked === undefined) return;
            await execute(deps, SERVER_COMMANDS.applyCandidate, { uri, qualname: result.qualname, candidateId: picked.candidateId });
        }),
        registerCommand(CLIENT_COMMANDS.showOutput, () => deps.showOutput()),
        registerCommand(CLIENT_COMMANDS.restartServer, () => deps.restart()),
        registerCommand(CLIENT_COMMANDS.setApiKey, async () => {
            const key = await showInputBox('API key for the OpenAI-compatible server in "sstar.baseUrl" (kept in VS Code secret storage)', true);
            if (key === undefined || key.trim() === '') return;
            await deps.setApiKey(key.trim());
            void showInformationMessage('S*: API key stored; the server restarts to use it.');
        }),
        registerCommand(CLIENT_COMMANDS.clearApiKey, async () => {
            await deps.clearApiKey();
            void showInformationMessage('S*: API key removed; the server restarts without it.');
        }),
    ];
}
