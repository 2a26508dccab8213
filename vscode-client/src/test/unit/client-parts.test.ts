import { state } from './vscode-stub';
import * as assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { bodyPreview, candidateItems, cursorArgs } from '../../commands';
import { RedactingChannel } from '../../logging';
import { NotificationProgress } from '../../progress';
import { answerConfiguration } from '../../settings';
import { parseStatus, renderStatus } from '../../status';

describe('progress as cancellable notifications', () => {
    beforeEach(() => state.reset());

    it('shows begin as a Notification, forwards reports, cancels through the server, ends', async () => {
        const cancelled: unknown[] = [];
        const progress = new NotificationProgress((token) => cancelled.push(token));
        let nextCalls = 0;
        progress.handle('tok', { kind: 'begin', title: 'S*: solving f', cancellable: true, message: 'sampling 0/8', percentage: 0 }, () => nextCalls++);
        assert.equal(state.progress.length, 1);
        const call = state.progress[0];
        assert.equal(call.options.location, 15); // ProgressLocation.Notification
        assert.equal(call.options.cancellable, true);
        assert.equal(call.options.title, 'S*: solving f');
        progress.handle('tok', { kind: 'report', message: 'sampling 4/8', percentage: 50 }, () => nextCalls++);
        assert.deepEqual(call.reports.at(-1), { message: 'sampling 4/8', increment: 50 });
        call.cancel();
        assert.deepEqual(cancelled, ['tok']);
        progress.handle('tok', { kind: 'end', message: 'cancelled' }, () => nextCalls++);
        await call.done; // the notification closes
        assert.equal(nextCalls, 1); // only `end` reaches the library (its cleanup)
        assert.equal(progress.size, 0);
    });

    it('ignores reports for unknown tokens and closes everything on clear()', async () => {
        const progress = new NotificationProgress(() => undefined);
        progress.handle('nope', { kind: 'report', message: 'x' }, () => undefined);
        assert.equal(state.progress.length, 0);
        progress.handle('a', { kind: 'begin', title: 'a' }, () => undefined);
        progress.clear();
        await state.progress[0].done;
        assert.equal(progress.size, 0);
    });
});

describe('workspace/configuration middleware', () => {
    beforeEach(() => state.reset());

    it('answers section sstar with the typed settings and leaves other sections alone', () => {
        state.config.set('sstar.samples', 5);
        state.config.set('sstar.interpreter', '/x/python');
        const answers = answerConfiguration({ items: [{ section: 'sstar' }, { section: 'python' }] }, [{ raw: true }, { py: 1 }]);
        const sstar = answers[0] as Record<string, unknown>;
        assert.equal(sstar.samples, 5);
        assert.equal(sstar.rounds, 2);
        assert.ok(!('interpreter' in sstar));
        assert.deepEqual(answers[1], { py: 1 });
    });
});

describe('status bar', () => {
    it('shows the backend when idle and the job when running', () => {
        assert.match(renderStatus('running', { backend: 'llama.cpp qwen2.5-coder-0.5b', running: 0, jobs: [] }).text, /S\* llama\.cpp qwen2\.5-coder-0\.5b$/);
        const busy = renderStatus('running', { backend: 'openai', running: 2, jobs: [{ jobId: '1', qualname: 'f', stage: 'sampling 3/8' }, { jobId: '2', qualname: 'g', stage: 'queued' }] });
        assert.match(busy.text, /\$\(sync~spin\) S\* f: sampling 3\/8 \+1/);
        assert.equal(busy.command, 'sstar.cancelJobs');
        assert.equal(renderStatus('failed', undefined).command, 'sstar.showOutput');
        assert.match(renderStatus('starting', undefined).text, /loading~spin/);
    });

    it('rejects malformed sstar/status payloads', () => {
        assert.equal(parseStatus(null), undefined);
        assert.equal(parseStatus({ backend: 1, running: 0, jobs: [] }), undefined);
        assert.deepEqual(parseStatus({ backend: 'b', running: 1, jobs: [{ jobId: 'j', qualname: 'q', stage: 's' }, 7] }),
            { backend: 'b', running: 1, jobs: [{ jobId: 'j', qualname: 'q', stage: 's' }] });
    });
});

describe('commands', () => {
    it('builds {uri, version, position} from the cursor of a Python editor only', () => {
        const editor = (languageId: string) => ({
            document: { uri: { toString: () => 'file:///w/a.py' }, version: 7, languageId },
            selection: { active: { line: 3, character: 4 } },
        });
        assert.deepEqual(cursorArgs(editor('python')), { uri: 'file:///w/a.py', version: 7, position: { line: 3, character: 4 } });
        assert.equal(cursorArgs(editor('markdown')), undefined);
        assert.equal(cursorArgs(undefined), undefined);
    });

    it('lists candidates with pass counts, the chosen one first', () => {
        const items = candidateItems([
            { id: 'a', code: 'def f(x):\n    return 1', passed: 1, total: 3, group: 0, chosen: false },
            { id: 'b', code: 'def f(x):\n    return x', passed: 3, total: 3, group: 1, chosen: false },
            { id: 'c', code: 'def f(x):\n    return 2 * x', passed: 2, total: 3, group: 2, chosen: true },
        ]);
        assert.deepEqual(items.map((i) => i.candidateId), ['c', 'b', 'a']);
        assert.equal(items[0].label, '$(check) 2/3 passed');
        assert.match(items[0].description ?? '', /chosen/);
        assert.equal(items[1].detail, 'return x');
    });

    it('previews the body after the signature and the docstring', () => {
        const code = [
            'def is_palindrome(',
            '    text: str,',
            ') -> bool:',
            '    """Return True if `text` reads the same backwards.',
            '',
            '    >>> is_palindrome("")',
            '    True',
            '    """',
            '    # letters only',
            '    letters = [c.lower() for c in text if c.isalpha()]',
            '    return letters == letters[::-1]',
        ].join('\n');
        assert.equal(bodyPreview(code), 'letters = [c.lower() for c in text if c.isalpha()]; return letters == letters[::-1]');
        assert.equal(bodyPreview("def f():\n    '''One line.'''\n    return 1"), 'return 1');
        assert.equal(bodyPreview('no function here'), '');
        assert.equal(bodyPreview(`def f():\n    return "${'x'.repeat(200)}"`).length, 120);
    });
});

describe('log redaction', () => {
    it('never writes a known secret to the channel', () => {
        const written: string[] = [];
        const sink = {
            name: 'S*', logLevel: 3, onDidChangeLogLevel: () => ({ dispose: () => undefined }),
            append: (v: string) => written.push(v), appendLine: (v: string) => written.push(v), replace: (v: string) => written.push(v),
            clear: () => undefined, show: () => undefined, hide: () => undefined, dispose: () => undefined,
            trace: (v: string) => written.push(v), debug: (v: string) => written.push(v), info: (v: string) => written.push(v),
            warn: (v: string) => written.push(v), error: (v: string) => written.push(v),
        };
        const channel = new RedactingChannel(sink as unknown as ConstructorParameters<typeof RedactingChannel>[0]);
        channel.setSecrets(['sk-secret-123', undefined, 'ab']);
        channel.appendLine('Params: {"initializationOptions":{"apiKey":"sk-secret-123"}}');
        channel.info('key sk-secret-123 twice sk-secret-123');
        channel.error(new Error('bad key sk-secret-123'));
        channel.append('ab is too short to redact');
        assert.ok(written.every((w) => !w.includes('sk-secret-123')), written.join('\n'));
        assert.match(written[0], /"apiKey":"<redacted>"/);
        assert.equal(written[3], 'ab is too short to redact');
    });
});
