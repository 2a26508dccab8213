/**
 * Renders the server's `$/progress` (work done) as notifications with a working Cancel button.
 * vscode-languageclient 9 shows them in the status bar (ProgressLocation.Window), where
 * `cancellable` has no button; this middleware takes over begin/report and sends
 * `window/workDoneProgress/cancel` itself, letting the library clean up its part on `end`.
 */
import { CancellationToken, Progress, ProgressLocation } from 'vscode';
import type { ProgressToken, WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport } from 'vscode-languageclient';
import { withProgress } from './vscodeapi';

type Params = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

interface Active {
    progress?: Progress<{ message?: string; increment?: number }>;
    reported: number;
    pending?: WorkDoneProgressReport;
    finish: () => void;
}

export class NotificationProgress {
    private readonly active = new Map<ProgressToken, Active>();

    /** `sendCancel` sends `window/workDoneProgress/cancel` for a token. */
    constructor(private readonly sendCancel: (token: ProgressToken) => void) {}

    /** For LanguageClientOptions.middleware.handleWorkDoneProgress. */
    handle(token: ProgressToken, params: Params, next: () => void): void {
        switch (params.kind) {
            case 'begin':
                this.begin(token, params);
                return;
            case 'report':
                this.report(token, params);
                return;
            case 'end':
                this.end(token, params);
                next(); // lets the library dispose its (never shown) progress part
                return;
        }
    }

    get size(): number { return this.active.size; }

    private begin(token: ProgressToken, params: WorkDoneProgressBegin): void {
        if (this.active.has(token)) return;
        let finish: () => void = () => undefined;
        const done = new Promise<void>((resolve) => { finish = resolve; });
        const entry: Active = { reported: 0, finish };
        this.active.set(token, entry);
        void withProgress(
            { location: ProgressLocation.Notification, title: params.title, cancellable: params.cancellable === true },
            (progress, cancel: CancellationToken) => {
                entry.progress = progress;
                cancel.onCancellationRequested(() => this.sendCancel(token));
                this.apply(entry, params.message, params.percentage);
                if (entry.pending !== undefined) {
                    this.apply(entry, entry.pending.message, entry.pending.percentage);
                    entry.pending = undefined;
                }
                return done;
            });
    }

    private report(token: ProgressToken, params: WorkDoneProgressReport): void {
        const entry = this.active.get(token);
        if (entry === undefined) return;
        if (entry.progress === undefined) {
            entry.pending = params;
            return;
        }
        this.apply(entry, params.message, params.percentage);
    }

    private end(token: ProgressToken, params: WorkDoneProgressEnd): void {
        const entry = this.active.get(token);
        if (entry === undefined) return;
        if (params.message !== undefined) this.apply(entry, params.message, undefined);
        this.active.delete(token);
        entry.finish();
    }

    private apply(entry: Active, message: string | undefined, percentage: number | undefined): void {
        if (entry.progress === undefined) return;
        if (typeof percentage === 'number') {
            const clamped = Math.max(0, Math.min(percentage, 100));
            const increment = Math.max(0, clamped - entry.reported);
            entry.reported += increment;
            entry.progress.report({ message, increment });
        } else if (message !== undefined) {
            entry.progress.report({ message });
        }
    }

    /** Closes every notification (the server went away). */
    clear(): void {
        for (const entry of this.active.values()) entry.finish();
        this.active.clear();
    }
}
