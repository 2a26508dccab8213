/**
 * The status bar item: which backend the server uses and what job is running, from the
 * server's `sstar/status` notification `{backend, running, jobs}` and the client's own state.
 */
import { Disposable, StatusBarItem } from 'vscode';
import { createStatusBarItem } from './vscodeapi';

export const STATUS_NOTIFICATION = 'sstar/status';

export interface JobStatus { jobId: string; qualname: string; stage: string }
export interface StatusParams { backend: string; running: number; jobs: JobStatus[] }

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface StatusView { text: string; tooltip: string; command: string }

function text(value: unknown): string {
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** Accepts only a well-formed `sstar/status` payload (a bad one must not break the status bar). */
export function parseStatus(params: unknown): StatusParams | undefined {
    if (typeof params !== 'object' || params === null) return undefined;
    const p = params as Record<string, unknown>;
    if (typeof p.backend !== 'string' || typeof p.running !== 'number' || !Array.isArray(p.jobs)) return undefined;
    const jobs: JobStatus[] = [];
    for (const j of p.jobs as unknown[]) {
        if (typeof j !== 'object' || j === null) continue;
        const r = j as Record<string, unknown>;
        jobs.push({ jobId: text(r.jobId), qualname: text(r.qualname), stage: text(r.stage) });
    }
    return { backend: p.backend, running: p.running, jobs };
}

export function renderStatus(state: ServerState, status: StatusParams | undefined): StatusView {
    switch (state) {
        case 'starting':
            return { text: '$(loading~spin) S*', tooltip: 'S*: starting the language server', command: 'sstar.showOutput' };
        case 'failed':
            return { text: '$(error) S*', tooltip: 'S*: the language server is not running; click for its output', command: 'sstar.showOutput' };
        case 'stopped':
            return { text: '$(circle-slash) S*', tooltip: 'S*: the language server is stopped', command: 'sstar.restartServer' };
        case 'running':
            break;
    }
    const backend = status?.backend ?? '';
    const running = status?.running ?? 0;
    if (running <= 0) {
        return {
            text: backend !== '' ? `$(sparkle) S* ${backend}` : '$(sparkle) S*',
            tooltip: `S*: idle${backend !== '' ? ` (backend: ${backend})` : ''}`,
            command: 'sstar.showOutput',
        };
    }
    const first = status?.jobs[0];
    const what = first !== undefined ? `${first.qualname}: ${first.stage}` : `${running} job(s)`;
    const more = running > 1 ? ` +${running - 1}` : '';
    const lines = (status?.jobs ?? []).map((j) => `${j.qualname}: ${j.stage}`).join('\n');
    return {
        text: `$(sync~spin) S* ${what}${more}`,
        tooltip: `S* (${backend}): ${running} running\n${lines}\nClick to cancel.`,
        command: 'sstar.cancelJobs',
    };
}

export class StatusBar implements Disposable {
    private readonly item: StatusBarItem;
    private state: ServerState = 'stopped';
    private status: StatusParams | undefined;

    constructor() {
        this.item = createStatusBarItem('sstar.status', 100);
        this.item.name = 'S*';
        this.render();
        this.item.show();
    }

    setState(state: ServerState): void {
        this.state = state;
        if (state !== 'running') this.status = undefined;
        this.render();
    }

    update(params: unknown): void {
        const parsed = parseStatus(params);
        if (parsed !== undefined) {
            this.status = parsed;
            this.render();
        }
    }

    private render(): void {
        const view = renderStatus(this.state, this.status);
        this.item.text = view.text;
        this.item.tooltip = view.tooltip;
        this.item.command = view.command;
    }

    dispose(): void { this.item.dispose(); }
}
