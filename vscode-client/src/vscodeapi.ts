/**
 * Thin wrappers over the `vscode` API that the rest of the client calls, so unit tests can
 * stub one module instead of the editor. No logic lives here.
 */
import {
    commands,
    ConfigurationChangeEvent,
    ConfigurationScope,
    Disposable,
    env,
    Extension,
    extensions,
    LogOutputChannel,
    MessageItem,
    Progress,
    ProgressOptions,
    QuickPickItem,
    QuickPickOptions,
    StatusBarAlignment,
    StatusBarItem,
    TextEditor,
    Uri,
    ViewColumn,
    window,
    workspace,
    WorkspaceConfiguration,
    WorkspaceFolder,
} from 'vscode';

export function createLogOutputChannel(name: string): LogOutputChannel {
    return window.createOutputChannel(name, { log: true });
}

export function getConfiguration(section: string, scope?: ConfigurationScope | null): WorkspaceConfiguration {
    return workspace.getConfiguration(section, scope);
}

export function onDidChangeConfiguration(listener: (e: ConfigurationChangeEvent) => unknown): Disposable {
    return workspace.onDidChangeConfiguration(listener);
}

export function getWorkspaceFolders(): readonly WorkspaceFolder[] {
    return workspace.workspaceFolders ?? [];
}

export function registerCommand(command: string, callback: (...args: unknown[]) => unknown): Disposable {
    return commands.registerCommand(command, callback);
}

export function executeCommand<T = unknown>(command: string, ...rest: unknown[]): Thenable<T> {
    return commands.executeCommand<T>(command, ...rest);
}

export function getExtension<T = unknown>(extensionId: string): Extension<T> | undefined {
    return extensions.getExtension<T>(extensionId);
}

export function activeTextEditor(): TextEditor | undefined {
    return window.activeTextEditor;
}

export function createStatusBarItem(id: string, priority: number): StatusBarItem {
    return window.createStatusBarItem(id, StatusBarAlignment.Left, priority);
}

export function showErrorMessage<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
    return window.showErrorMessage(message, ...items);
}

export function showWarningMessage<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
    return window.showWarningMessage(message, ...items);
}

export function showInformationMessage<T extends string>(message: string, ...items: T[]): Thenable<T | undefined> {
    return window.showInformationMessage(message, ...items);
}

/** Opens an untitled editor beside the active one with `content` (a candidate's code). */
export async function openUntitled(content: string, language: string): Promise<void> {
    const document = await workspace.openTextDocument({ content, language });
    await window.showTextDocument(document, { viewColumn: ViewColumn.Beside, preview: true, preserveFocus: true });
}

export function showQuickPick<T extends QuickPickItem>(items: T[], options: QuickPickOptions): Thenable<T | undefined> {
    return window.showQuickPick(items, options);
}

export function showInputBox(prompt: string, password: boolean): Thenable<string | undefined> {
    return window.showInputBox({ prompt, password, ignoreFocusOut: true });
}

export function withProgress<R>(
    options: ProgressOptions,
    task: (progress: Progress<{ message?: string; increment?: number }>, token: import('vscode').CancellationToken) => Thenable<R>,
): Thenable<R> {
    return window.withProgress(options, task);
}

export function globalLogLevel(): import('vscode').LogLevel {
    return env.logLevel;
}

export function uriToString(uri: Uri): string {
    return uri.toString();
}

export type { MessageItem };
