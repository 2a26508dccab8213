/**
 * The one "S*" log output channel, helpers that write to it, and the redaction that keeps the
 * API key out of it (the key travels in `initializationOptions`, which the LSP trace prints).
 */
import { Disposable, Event, LogLevel, LogOutputChannel, ViewColumn } from 'vscode';
import { createLogOutputChannel } from './vscodeapi';

const REDACTED = '<redacted>';

/** A LogOutputChannel that replaces every known secret with `<redacted>` before writing. */
export class RedactingChannel implements LogOutputChannel {
    private secrets: string[] = [];

    constructor(private readonly inner: LogOutputChannel) {}

    /** Secrets shorter than 4 characters are ignored: redacting them would garble the log. */
    setSecrets(secrets: readonly (string | undefined)[]): void {
        this.secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
    }

    redact(text: string): string {
        let out = text;
        for (const secret of this.secrets) {
            out = out.split(secret).join(REDACTED);
        }
        return out;
    }

    get name(): string { return this.inner.name; }
    get logLevel(): LogLevel { return this.inner.logLevel; }
    get onDidChangeLogLevel(): Event<LogLevel> { return this.inner.onDidChangeLogLevel; }
    append(value: string): void { this.inner.append(this.redact(value)); }
    appendLine(value: string): void { this.inner.appendLine(this.redact(value)); }
    replace(value: string): void { this.inner.replace(this.redact(value)); }
    clear(): void { this.inner.clear(); }
    show(columnOrPreserve?: ViewColumn | boolean, preserveFocus?: boolean): void {
        if (typeof columnOrPreserve === 'boolean' || columnOrPreserve === undefined) {
            this.inner.show(columnOrPreserve);
        } else {
            this.inner.show(columnOrPreserve, preserveFocus);
        }
    }
    hide(): void { this.inner.hide(); }
    dispose(): void { this.inner.dispose(); }
    trace(message: string, ...args: unknown[]): void { this.inner.trace(this.redact(message), ...args.map((a) => this.redactArg(a))); }
    debug(message: string, ...args: unknown[]): void { this.inner.debug(this.redact(message), ...args.map((a) => this.redactArg(a))); }
    info(message: string, ...args: unknown[]): void { this.inner.info(this.redact(message), ...args.map((a) => this.redactArg(a))); }
    warn(message: string, ...args: unknown[]): void { this.inner.warn(this.redact(message), ...args.map((a) => this.redactArg(a))); }
    error(error: string | Error, ...args: unknown[]): void {
        const text = typeof error === 'string' ? error : `${error.name}: ${error.message}`;
        this.inner.error(this.redact(text), ...args.map((a) => this.redactArg(a)));
    }

    private redactArg(arg: unknown): unknown {
        return typeof arg === 'string' ? this.redact(arg) : arg;
    }
}

let channel: RedactingChannel | undefined;

/** Creates the "S*" channel once; later calls return the same one. */
export function getLogChannel(): RedactingChannel {
    if (channel === undefined) {
        channel = new RedactingChannel(createLogOutputChannel('S*'));
    }
    return channel;
}

export function registerLogChannel(disposables: Disposable[]): RedactingChannel {
    const ch = getLogChannel();
    disposables.push({ dispose: () => { ch.dispose(); channel = undefined; } });
    return ch;
}

export function traceInfo(message: string): void { channel?.info(message); }
export function traceWarn(message: string): void { channel?.warn(message); }
export function traceError(message: string, error?: unknown): void {
    const detail = error instanceof Error ? `: ${error.message}` : typeof error === 'string' ? `: ${error}` : '';
    channel?.error(message + detail);
}
export function traceDebug(message: string): void { channel?.debug(message); }
