/**
 * The suite run inside the Extension Development Host (see ../runTest.ts): it drives the extension
 * through the `vscode` API, with no test framework (node:assert and sequential async checks).
 * Waits are on VS Code events with deadlines; a loop re-asks only where VS Code has no event
 * (code actions become available once the server has started).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'sstar-lsp.sstar-lsp';

function withDeadline<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once the document's text contains `needle` (now or after a later change). */
function textContains(document: vscode.TextDocument, needle: string, ms: number): Promise<void> {
    if (document.getText().includes(needle)) return Promise.resolve();
    return withDeadline(`"${needle}" in ${document.fileName}`, ms, new Promise<void>((resolve) => {
        const sub = vscode.workspace.onDidChangeTextDocument((e) => {
            if (e.document === document && document.getText().includes(needle)) {
                sub.dispose();
                resolve();
            }
        });
    }));
}

async function codeActions(uri: vscode.Uri, position: vscode.Position, title: string, ms: number): Promise<vscode.CodeAction> {
    const deadline = Date.now() + ms;
    for (;;) {
        const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
            'vscode.executeCodeActionProvider', uri, new vscode.Range(position, position));
        const found = actions.find((a): a is vscode.CodeAction => a.title === title && 'kind' in a);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no code action "${title}" at ${uri.toString()}:${position.line + 1}`);
        await new Promise((resolve) => setTimeout(resolve, 500)); // the server is still starting: ask again
    }
}

function lineOf(document: vscode.TextDocument, predicate: (text: string) => boolean): number {
    for (let i = 0; i < document.lineCount; i++) if (predicate(document.lineAt(i).text)) return i;
    throw new Error('line not found');
}

const tests: [string, () => Promise<void>][] = [
    ['activates and registers its commands', async () => {
        const extension = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(extension, `${EXTENSION_ID} is not loaded`);
        await extension.activate();
        const commands = await vscode.commands.getCommands(true);
        for (const id of ['sstar.solveAtCursor', 'sstar.regenerateAtCursor', 'sstar.cancelJobs', 'sstar.pickCandidate',
            'sstar.showOutput', 'sstar.restartServer', 'sstar.setApiKey']) {
            assert.ok(commands.includes(id), `command ${id} is missing`);
        }
    }],
    ['"Solve with S*" code action writes the body', async () => {
        const [folder] = vscode.workspace.workspaceFolders ?? [];
        assert.ok(folder, 'no workspace folder');
        const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'text_tools.py'));
        await vscode.window.showTextDocument(document);
        const line = lineOf(document, (t) => t.startsWith('def is_palindrome('));
        const action = await codeActions(document.uri, new vscode.Position(line + 1, 4), 'Solve with S*', 60000);
        assert.equal(action.kind?.value, 'refactor.rewrite');
        assert.ok(action.command, 'the code action has no command');
        await vscode.commands.executeCommand(action.command.command, ...((action.command.arguments ?? []) as unknown[]));
        await textContains(document, 'return letters == letters[::-1]', 120000);
        assert.ok(document.getText().includes('def word_counts('), 'the edit touched more than the stub');
    }],
    ['"S*: Solve Stub at Cursor" solves the stub under the cursor', async () => {
        const editor = vscode.window.activeTextEditor;
        assert.ok(editor, 'no active editor');
        const line = lineOf(editor.document, (t) => t.startsWith('def word_counts(')) + 1;
        editor.selection = new vscode.Selection(line, 4, line, 4);
        await vscode.commands.executeCommand('sstar.solveAtCursor');
        await textContains(editor.document, 'counts[word] = counts.get(word, 0) + 1', 120000);
    }],
    ['sstar.showCandidates lists the kept candidates', async () => {
        const editor = vscode.window.activeTextEditor;
        assert.ok(editor, 'no active editor');
        const result = await vscode.commands.executeCommand<{ qualname?: string; candidates?: { passed: number; total: number }[] }>(
            'sstar.showCandidates', { uri: editor.document.uri.toString(), qualname: 'is_palindrome' });
        assert.equal(result?.qualname, 'is_palindrome');
        assert.ok((result?.candidates ?? []).length > 0, `no candidates: ${JSON.stringify(result)}`);
    }],
];

export async function run(): Promise<void> {
    const failures: string[] = [];
    for (const [name, body] of tests) {
        try {
            await body();
            console.error(`PASS ${name}`); // the host's stdout is not always forwarded; stderr is
        } catch (error) {
            failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
            console.error(`FAIL ${failures[failures.length - 1]}`);
        }
    }
    if (failures.length > 0) throw new Error(`${failures.length} of ${tests.length} failed:\n${failures.join('\n')}`);
}
