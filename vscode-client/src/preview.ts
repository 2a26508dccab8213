/**
 * The early preview: the server's `sstar/preview` notification says a candidate of a running solve
 * passes every public test while selection goes on. It is shown as a notification with
 * "Accept Now" (the server's `sstar.acceptPreview`: the same versioned write-back as the final
 * result, which later replaces the preview only if you left it as it was) and "Show Code".
 */
import type { LanguageClient } from 'vscode-languageclient/node';
import { traceError } from './logging';
import { openUntitled, showInformationMessage, showWarningMessage } from './vscodeapi';

export const PREVIEW_NOTIFICATION = 'sstar/preview';
export const ACCEPT_COMMAND = 'sstar.acceptPreview';
export const ACCEPT = 'Accept Now';
export const SHOW = 'Show Code';

export interface Preview {
    jobId: string;
    uri: string;
    qualname: string;
    candidateId: string;
    code: string;
    passed: number;
    total: number;
}

/** A well-formed `sstar/preview` payload, or undefined (a bad one must not throw). */
export function parsePreview(params: unknown): Preview | undefined {
    if (typeof params !== 'object' || params === null) return undefined;
    const p = params as Record<string, unknown>;
    const text = (k: string): string | undefined => (typeof p[k] === 'string' ? p[k] : undefined);
    const count = (k: string): number => (typeof p[k] === 'number' ? p[k] : 0);
    const jobId = text('jobId');
    const uri = text('uri');
    const qualname = text('qualname');
    if (jobId === undefined || uri === undefined || qualname === undefined) return undefined;
    return { jobId, uri, qualname, candidateId: text('candidateId') ?? '', code: text('code') ?? '', passed: count('passed'), total: count('total') };
}

/** The notification's text. */
export function previewMessage(preview: Preview): string {
    return `S*: ${preview.qualname}: a candidate passes ${preview.passed}/${preview.total} examples while selection goes on. `
        + 'Accept it now? The final result replaces it only if you leave it as it is.';
}

/** Shows one preview; `client()` is the running client when the user answers. */
export async function offerPreview(preview: Preview, client: () => LanguageClient | undefined): Promise<void> {
    for (;;) {
        const choice = await showInformationMessage(previewMessage(preview), ACCEPT, SHOW);
        if (choice === SHOW) {
            await openUntitled(preview.code, 'python');
            continue; // the notification is gone once clicked: offer it again beside the code
        }
        if (choice !== ACCEPT) return;
        const running = client();
        if (running === undefined || !running.isRunning()) return;
        try {
            const answer: { applied?: boolean } | null = await running.sendRequest('workspace/executeCommand', { command: ACCEPT_COMMAND, arguments: [{ jobId: preview.jobId }] });
            if (answer?.applied !== true) void showWarningMessage(`S*: the preview of ${preview.qualname} was not written (the server said why).`);
        } catch (error) {
            traceError(`${ACCEPT_COMMAND} failed`, error);
        }
        return;
    }
}
