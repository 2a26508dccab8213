/**
 * The e2e scenarios, run in order against one code-server page (each one may rely on the edits of
 * the ones before it). They assert on what a user sees (editor text, notifications, QuickPick,
 * status bar) and on what the servers received (the scripted LLM's request log; with the fake
 * server, its own event log).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Page } from 'playwright-core';
import { E2E_LOCAL_MODEL, E2EConfig, keyFingerprint, readJsonLines, unwantedEntries } from './env';
import { Workbench } from './workbench';

export const API_KEY = 'sk-e2e-secret-4f9a1c77';
export const ENV_API_KEY = 'sk-e2e-from-env-0b5e';
/** src/server.ts RUNNING_LINE (not imported: that module needs the `vscode` module). */
const RUNNING_LINE = 'the server is running';

export const SLOW_FILE = [
    '"""A stub whose solve never finishes on its own (the scripted LLM hangs on it)."""',
    '',
    '',
    'def slow_sum(xs: list[int]) -> int:',
    '    """Sum of xs.',
    '',
    '    >>> slow_sum([1, 2, 3])',
    '    6',
    '    """',
    '    pass',
    '',
].join('\n');

/** In a folder and a file whose names have a space and an accent (URIs with %20 and %C3%A9). */
export const ODD_PATH = ['my proj', 'café space.py'] as const;
export const ODD_FILE = [
    'def square_all(xs: list[int]) -> list[int]:',
    '    """Square every number.',
    '',
    '    >>> square_all([1, 2, 3])',
    '    [1, 4, 9]',
    '    """',
    '    ...',
    '',
].join('\n');

/** The scripted model answers late_total after 6 s: the user is typing on line 1 meanwhile. */
export const LATE_FILE = [
    '# notes: ',
    '',
    '',
    'def late_total(xs: list[int]) -> int:',
    '    """Sum of xs.',
    '',
    '    >>> late_total([1, 2, 3])',
    '    6',
    '    """',
    '    ...',
    '',
].join('\n');

/** A right and a wrong sample; the wrong one's repair waits 20 s: time for the preview. */
export const PREVIEW_FILE = [
    'def pick_first(xs: list[int]) -> int | None:',
    '    """The first element of xs, or None when it is empty.',
    '',
    '    >>> pick_first([3, 1])',
    '    3',
    '    >>> pick_first([]) is None',
    '    True',
    '    """',
    '    ...',
    '',
].join('\n');

export interface Context {
    config: E2EConfig;
    page: Page;
    wb: Workbench;
    /** Where screenshots go (see env.resultsDir). */
    results: string;
    /** The workspace folder opened in code-server (copies of the examples). */
    ws: string;
    userData: string;
    /** The fake server's event log (fake server only). */
    fakeLog: string;
    /** The scripted LLM's request log (one JSON line per chat request). */
    llmLog: string;
    vsixEntries: string[];
    /** examples/text_tools.py as copied into the workspace. */
    textTools: string;
}

export type Scenario = [name: string, body: (ctx: Context) => Promise<void>];

function lineOf(text: string, predicate: (line: string, index: number) => boolean): number {
    const index = text.split('\n').findIndex(predicate);
    if (index < 0) throw new Error('line not found');
    return index + 1;
}

/** The 1-based line of the stub statement (`pass` / `...` / `raise`) inside `def name`. */
export function stubLine(source: string, name: string): number {
    const def = lineOf(source, (l) => l.startsWith(`def ${name}(`));
    return lineOf(source, (l, i) => i >= def && /^\s+(pass|\.\.\.|raise NotImplementedError)/.test(l));
}

/** Polls a condition outside the page (files written by other processes) until a deadline. */
export async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 200)); // re-reading a file, not synchronising
    }
}

function grepTree(dir: string, needle: string): string[] {
    const hits: string[] = [];
    const walk = (d: string): void => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, entry.name);
            if (entry.isDirectory()) walk(p);
            else if (entry.isFile() && fs.statSync(p).size < 50 * 1024 * 1024 && fs.readFileSync(p, 'utf8').includes(needle)) hits.push(p);
        }
    };
    if (fs.existsSync(dir)) walk(dir);
    return hits;
}

/** The text of `def name` up to the next top-level def. */
function functionText(source: string, name: string): string {
    const start = source.indexOf(`def ${name}(`);
    const end = source.indexOf('\ndef ', start + 1);
    return source.slice(start, end < 0 ? undefined : end);
}

function savedTextTools(ctx: Context): string {
    return fs.readFileSync(path.join(ctx.ws, 'text_tools.py'), 'utf8');
}

function shot(ctx: Context, name: string): Promise<void> {
    return ctx.wb.screenshot(path.join(ctx.results, name));
}

/** Waits for a toast naming `what` to be gone and checks one was shown meanwhile. */
async function progressEnded(ctx: Context, what: string): Promise<void> {
    await ctx.wb.notification(what).waitFor({ state: 'hidden', timeout: 30000 });
    const seen = await ctx.wb.recordedNotifications();
    if (!seen.some((t) => t.includes(what))) throw new Error(`no progress notification for ${what} was shown (saw: ${JSON.stringify(seen)})`);
    await ctx.wb.statusItem(what).waitFor({ state: 'detached', timeout: 30000 });
}

const vsix: Scenario = ['the .vsix holds the bundled extension, package.json, README and LICENSE only', (ctx: Context): Promise<void> => {
    const need = ['extension/package.json', 'extension/dist/extension.js', 'extension/readme.md', 'extension/LICENSE.txt'];
    const missing = need.filter((n) => !ctx.vsixEntries.includes(n));
    const unwanted = unwantedEntries(ctx.vsixEntries);
    if (missing.length > 0 || unwanted.length > 0) {
        throw new Error(`missing: ${missing.join(', ')}; should not ship: ${unwanted.join(', ')}`);
    }
    return Promise.resolve();
}];

const lightBulbSolve: Scenario = ['light bulb "Solve with S*" writes the body and the progress ends', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    await wb.openFile('text_tools.py');
    await wb.gotoLine(stubLine(ctx.textTools, 'is_palindrome'), 5);
    await wb.recordNotifications();
    const how = await wb.pickCodeAction('Solve with S*', 90000);
    console.log(`  code action menu opened with the ${how}`);
    await wb.waitForEditorText('return letters == letters[::-1]', ctx.config.timeoutMs);
    await progressEnded(ctx, 'is_palindrome');
    await shot(ctx, 'solved.png');
    await page.keyboard.press('Control+S');
    const saved = await until('the saved file', 15000, () => {
        const text = fs.readFileSync(path.join(ctx.ws, 'text_tools.py'), 'utf8');
        return text.includes('return letters == letters[::-1]') ? text : undefined;
    });
    const fn = functionText(saved, 'is_palindrome');
    if (/^\s+pass\s*$/m.test(fn)) throw new Error(`the stub's pass is still there:\n${fn}`);
    if (!fn.includes('>>> is_palindrome("hello")')) throw new Error('the docstring was not kept');
    if (functionText(saved, 'word_counts') !== functionText(ctx.textTools, 'word_counts')) throw new Error('the edit touched another function');
}];

const mappedSettings: Scenario = ['the server got the mapped settings', (ctx: Context): Promise<void> => {
    if (ctx.config.server === 'fake') {
        const events = readJsonLines(ctx.fakeLog);
        const conf = events.find((e) => e.event === 'configuration')?.value as Record<string, unknown> | undefined;
        const init = events.find((e) => e.event === 'initialize')?.options as Record<string, unknown> | undefined;
        if (conf?.samples !== 3 || conf.rounds !== 1 || conf.temperature !== 0.3 || conf.localModel !== E2E_LOCAL_MODEL) {
            throw new Error(`configuration: ${JSON.stringify(conf)}`);
        }
        if ('interpreter' in conf || 'trace' in conf) throw new Error(`client-only settings leaked: ${JSON.stringify(conf)}`);
        if (init?.samples !== 3 || 'apiKey' in init) throw new Error(`initializationOptions: ${JSON.stringify(init)}`);
        return Promise.resolve();
    }
    // The real server: what reached the model shows sstar.baseUrl, sstar.model and
    // sstar.temperature arrived, and that the key came from sstar.apiKeyEnv's variable.
    const requests = readJsonLines(ctx.llmLog).filter((r) => String(r.rule).includes('is_palindrome'));
    if (requests.length === 0) throw new Error('the scripted LLM got no request for is_palindrome');
    const sampling = requests.filter((r) => r.temperature === 0.3);
    if (sampling.length === 0) throw new Error(`no request with sstar.temperature 0.3: ${JSON.stringify(requests)}`);
    const bad = requests.filter((r) => r.model !== 'scripted' || r.auth !== keyFingerprint(ENV_API_KEY));
    if (bad.length > 0) throw new Error(`requests with the wrong model or key: ${JSON.stringify(bad)}`);
    return Promise.resolve();
}];

const cancelButton: Scenario = ['the progress notification\'s Cancel button cancels the job', async (ctx: Context): Promise<void> => {
    const { wb } = ctx;
    await wb.openFile('slow.py');
    await wb.gotoLine(stubLine(SLOW_FILE, 'slow_sum'), 5);
    await wb.command('S*: Solve Stub at Cursor');
    const toast = wb.notification('slow_sum');
    await toast.waitFor({ timeout: 60000 });
    const cancel = toast.getByRole('button', { name: 'Cancel' });
    await cancel.waitFor({ timeout: 10000 });
    await wb.statusItem('slow_sum').waitFor({ timeout: 30000 });
    if (ctx.config.server === 'real') {
        await until('the hanging request at the scripted LLM', 30000, () =>
            readJsonLines(ctx.llmLog).some((r) => String(r.rule).includes('slow_sum')) ? true : undefined);
    }
    await wb.settled(toast);
    await shot(ctx, 'progress.png');
    await cancel.click();
    await toast.waitFor({ state: 'hidden', timeout: 15000 });
    if (ctx.config.server === 'fake') {
        await until('the server to see window/workDoneProgress/cancel', 20000, () =>
            readJsonLines(ctx.fakeLog).some((e) => e.event === 'progress_cancel') ? true : undefined);
    }
    await wb.statusItem('slow_sum').waitFor({ state: 'detached', timeout: 30000 });
    if (!(await wb.editorText()).includes('    pass')) throw new Error('the cancelled solve still edited the file');
}];

const paletteCancel: Scenario = ['"S*: Cancel" cancels a running job', async (ctx: Context): Promise<void> => {
    const { wb } = ctx;
    await wb.openFile('slow.py');
    await wb.gotoLine(stubLine(SLOW_FILE, 'slow_sum'), 5);
    await wb.command('S*: Solve Stub at Cursor');
    const toast = wb.notification('slow_sum');
    await toast.waitFor({ timeout: 60000 });
    await wb.command('S*: Cancel');
    await wb.notification('cancelled 1 job').waitFor({ timeout: 15000 });
    await toast.waitFor({ state: 'hidden', timeout: 15000 });
    if (ctx.config.server === 'fake') {
        await until('sstar.cancel at the server', 20000, () =>
            readJsonLines(ctx.fakeLog).some((e) => e.event === 'cancel_command') ? true : undefined);
    }
    if (!(await wb.editorText()).includes('    pass')) throw new Error('the cancelled solve still edited the file');
}];

const regenerate: Scenario = ['"S*: Regenerate with More Samples" samples the solved function again', async (ctx: Context): Promise<void> => {
    const { wb } = ctx;
    const asked = (): number => readJsonLines(ctx.llmLog).filter((r) => r.rule === '`is_palindrome`').length;
    const before = asked();
    await wb.openFile('text_tools.py');
    await wb.gotoLine(lineOf(savedTextTools(ctx), (l) => l.includes('return letters == letters[::-1]')), 5);
    await wb.recordNotifications();
    await wb.command('S*: Regenerate with More Samples');
    if (ctx.config.server === 'fake') {
        await until('sstar.regenerate at the server', 20000, () =>
            readJsonLines(ctx.fakeLog).some((e) => e.event === 'regenerate') ? true : undefined);
        return;
    }
    await until('new samples at the scripted LLM', 60000, () => asked() > before ? true : undefined);
    await progressEnded(ctx, 'is_palindrome');
    await wb.waitForEditorText('return letters == letters[::-1]', 10000);
}];

/** Resolves once the S* log shows a (re)start for `reason` followed by RUNNING_LINE. */
function restarted(ctx: Context, reason: string): Promise<true> {
    return until(`the log line saying the server restarted (${reason}) runs`, 60000, () => {
        const log = grepTree(path.join(ctx.userData, 'logs'), reason).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
        const restart = log.lastIndexOf(reason);
        return restart >= 0 && log.indexOf(RUNNING_LINE, restart) > restart ? true : undefined;
    });
}

const restartServer: Scenario = ['"S*: Restart Server" restarts it', async (ctx: Context): Promise<void> => {
    await ctx.wb.command('S*: Restart Server');
    await restarted(ctx, '"S*: Restart Server"');
    await ctx.wb.statusItem(/^(fake|scripted)/).waitFor({ timeout: 30000 });
}];

const settingRestart: Scenario = ['changing sstar.samples in the Settings editor restarts the server', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    await wb.command('Preferences: Open User Settings');
    const editor = page.locator('.settings-editor');
    await editor.waitFor({ timeout: 15000 });
    await page.keyboard.type('@id:sstar.samples'); // the search box has the focus
    // The item, not any number input: before the search filters, the editor lists other settings.
    const input = editor.locator('.setting-item-number', { hasText: 'Candidates sampled in parallel per solve' }).locator('input').first();
    await input.waitFor({ timeout: 15000 });
    await input.fill('4');
    await page.keyboard.press('Tab');
    await until('sstar.samples = 4 in the user settings file', 15000, () =>
        /"sstar\.samples":\s*4/.test(fs.readFileSync(path.join(ctx.userData, 'User', 'settings.json'), 'utf8')) ? true : undefined);
    await restarted(ctx, 'settings changed');
    if (ctx.config.server === 'fake') {
        await until('the new samples in workspace/configuration', 20000, () =>
            readJsonLines(ctx.fakeLog).some((e) => e.event === 'configuration' && (e.value as Record<string, unknown>).samples === 4) ? true : undefined);
    }
    await page.keyboard.press('Control+W'); // close the Settings editor
}];

const showCandidates: Scenario = ['"S*: Show Candidates" lists candidates; picking one applies it', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    await wb.openFile('text_tools.py');
    // Lines come from the file saved by the solve scenario: Monaco's DOM keeps rendered lines in no fixed order.
    await wb.gotoLine(lineOf(savedTextTools(ctx), (l) => l.includes('return letters == letters[::-1]')), 5);
    await wb.recordNotifications();
    await wb.command('S*: Show Candidates');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: /\d+\/\d+ passed/ }).first();
    await row.waitFor({ timeout: 30000 });
    await shot(ctx, 'candidates.png');
    // The row previews the candidate's body (not its docstring, which all candidates share).
    const preview = ctx.config.server === 'real' ? 'letters = [c.lower()' : 'return text == text[::-1]';
    if (!(await row.innerText()).includes(preview)) throw new Error(`the row does not preview the body: ${await row.innerText()}`);
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10000 });
    if (ctx.config.server === 'fake') {
        await until('sstar.applyCandidate at the server', 20000, () =>
            readJsonLines(ctx.fakeLog).some((e) => e.event === 'apply_candidate') ? true : undefined);
    } else {
        // The only candidate is the body already in place: applying it must keep it, with no error.
        await wb.waitForEditorText('return letters == letters[::-1]', 10000);
        const errors = (await wb.recordedNotifications()).filter((t) => /fail|error|no candidate/i.test(t));
        if (errors.length > 0) throw new Error(`applying the candidate failed: ${errors.join(' | ')}`);
    }
}];

const apiKey: Scenario = ['"S*: Set API Key" restarts the server with the key; the key is never logged', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    const starts = readJsonLines(ctx.fakeLog).filter((e) => e.event === 'initialize').length;
    await wb.command('S*: Set API Key');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 10000 });
    await input.fill(API_KEY);
    await page.keyboard.press('Enter');
    await wb.notification('API key stored').waitFor({ timeout: 20000 });
    if (ctx.config.server === 'fake') {
        await until('a restarted server with the key', 60000, () => {
            const inits = readJsonLines(ctx.fakeLog).filter((e) => e.event === 'initialize');
            const last = inits[inits.length - 1]?.options as Record<string, unknown> | undefined;
            return inits.length > starts && last?.apiKey === API_KEY ? true : undefined;
        });
    }
    // A solve through the restarted server, from the command palette: its requests carry the key.
    await wb.openFile('text_tools.py');
    await wb.gotoLine(lineOf(savedTextTools(ctx), (l) => l.startsWith('def word_counts(')) + 1, 5);
    await wb.recordNotifications();
    await restarted(ctx, 'API key changed');
    await wb.command('S*: Solve Stub at Cursor');
    await wb.waitForEditorText('counts[word] = counts.get(word, 0) + 1', ctx.config.timeoutMs);
    await progressEnded(ctx, 'word_counts');
    if (ctx.config.server === 'real') {
        const keyed = readJsonLines(ctx.llmLog).filter((r) => String(r.rule).includes('word_counts'));
        if (keyed.length === 0 || keyed.some((r) => r.auth !== keyFingerprint(API_KEY))) {
            throw new Error(`requests after "Set API Key" did not use the stored key: ${JSON.stringify(keyed)}`);
        }
    }
    await wb.command('S*: Show Output');
    await page.locator('.output-view, .panel .monaco-editor').first().waitFor({ timeout: 15000 });
    await shot(ctx, 'output.png');
    // At log level Trace (set by the scenario before) the restart logs its initializationOptions, redacted.
    await until('the redacted initializationOptions in the log files', 30000, () =>
        grepTree(path.join(ctx.userData, 'logs'), '<redacted>').length > 0 ? true : undefined);
    // Secret storage (encrypted) lives under Local Storage / globalStorage; nothing else may hold the key.
    const leaks = grepTree(ctx.userData, API_KEY).filter((p) => !p.includes('Local Storage') && !p.includes('globalStorage'));
    if (leaks.length > 0) throw new Error(`the API key is in: ${leaks.join(', ')}`);
}];

const modelSolve: Scenario = ['light bulb "Solve with S*" with the embedded model writes a body', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    await wb.openFile('text_tools.py');
    await wb.gotoLine(stubLine(ctx.textTools, 'is_palindrome'), 5);
    await wb.recordNotifications();
    await wb.pickCodeAction('Solve with S*', 120000);
    await wb.notification('is_palindrome').waitFor({ timeout: 120000 });
    await wb.settled(wb.notification('is_palindrome'));
    await shot(ctx, 'model-progress.png');
    await wb.notification('is_palindrome').waitFor({ state: 'hidden', timeout: ctx.config.timeoutMs });
    await shot(ctx, 'model-solved.png');
    await page.keyboard.press('Control+S');
    // What a small model writes varies: check that the stub's body was replaced, nothing else.
    const fn = await until('the saved body', 15000, () => {
        const body = functionText(savedTextTools(ctx), 'is_palindrome');
        return /^\s+pass\s*$/m.test(body) ? undefined : body;
    });
    console.log(`  the embedded model wrote:\n${fn}`);
    if (functionText(savedTextTools(ctx), 'word_counts') !== functionText(ctx.textTools, 'word_counts')) throw new Error('the edit touched another function');
}];

const oddPath: Scenario = ['a file in "my proj/café space.py" is solved from the light bulb', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    if (ctx.config.server === 'fake') return; // the fake server keys documents by whatever it is sent
    await wb.openFile(ODD_PATH[1]);
    await wb.gotoLine(stubLine(ODD_FILE, 'square_all'), 5);
    await wb.recordNotifications();
    await wb.pickCodeAction('Solve with S*', 90000);
    await wb.waitForEditorText('return [x * x for x in xs]', ctx.config.timeoutMs);
    await progressEnded(ctx, 'square_all');
    const seen = await wb.recordedNotifications();
    if (seen.some((t) => t.includes('is not open'))) throw new Error(`the server did not find the document: ${JSON.stringify(seen)}`);
    await page.keyboard.press('Control+S');
    await until('the saved file', 15000, () => {
        const text = fs.readFileSync(path.join(ctx.ws, ...ODD_PATH), 'utf8');
        return text.includes('return [x * x for x in xs]') && !/^\s+\.\.\.$/m.test(text) ? text : undefined;
    });
}];

const editWhileFinishing: Scenario = ['typing in the file while the solve ends: the body lands, the typing stays', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    if (ctx.config.server === 'fake') return; // the fake server sends unversioned edits
    await wb.openFile('late.py');
    await wb.gotoLine(stubLine(LATE_FILE, 'late_total'), 5);
    await wb.recordNotifications();
    await wb.pickCodeAction('Solve with S*', 90000);
    // the model answers after 6 s; type on line 1 (a fast typist: a key every 30 ms, paced like a
    // user, not to wait for anything) for as long as the job runs, and a little longer
    await wb.statusItem('late_total').waitFor({ timeout: 30000 });
    await wb.gotoLine(1, 10);
    let typed = 0;
    const deadline = Date.now() + ctx.config.timeoutMs;
    while (Date.now() < deadline && await wb.statusItem('late_total').isVisible()) {
        await page.keyboard.type('xxx', { delay: 30 });
        typed += 3;
    }
    await page.keyboard.type('xxx', { delay: 30 });
    typed += 3;
    await progressEnded(ctx, 'late_total');
    const seen = await wb.recordedNotifications();
    if (seen.some((t) => t.includes('was not written'))) throw new Error(`the edit was given up: ${JSON.stringify(seen)}`);
    await page.keyboard.press('Control+S');
    const saved = await until('the saved file', 15000, () => {
        const text = fs.readFileSync(path.join(ctx.ws, 'late.py'), 'utf8');
        return text.includes('return sum(xs)') ? text : undefined;
    });
    const first = saved.split('\n')[0] ?? '';
    if (first !== `# notes: ${'x'.repeat(typed)}`) throw new Error(`the typing was not kept: ${JSON.stringify(first)} (typed ${typed})`);
    if (saved.split('return sum(xs)').length !== 2 || /^\s+\.\.\.$/m.test(saved)) throw new Error(`the body is not there exactly once:\n${saved}`);
    const rejected = grepTree(path.join(ctx.userData, 'logs'), 'the editor rejected the edit of late_total').length > 0;
    console.log(`  typed ${typed} characters while the solve ran; a stale edit was rejected and rebuilt: ${rejected ? 'yes' : 'no (no race this run)'}`);
}];

const earlyPreview: Scenario = ['the early preview is accepted from its notification before the final answer', async (ctx: Context): Promise<void> => {
    const { wb, page } = ctx;
    if (ctx.config.server === 'fake') return; // the fake server offers no preview
    await wb.openFile('preview.py');
    await wb.gotoLine(stubLine(PREVIEW_FILE, 'pick_first'), 5);
    await wb.recordNotifications();
    await wb.pickCodeAction('Solve with S*', 90000);
    const offer = wb.notification('a candidate passes 2/2 examples while selection goes on');
    await offer.waitFor({ timeout: 60000 });
    await shot(ctx, 'preview.png');
    await offer.getByRole('button', { name: 'Accept Now' }).click();
    await page.waitForFunction(([sel]) => {
        const el = (globalThis as unknown as { document: { querySelector(s: string): { innerText: string } | null } }).document.querySelector(sel);
        const text = el?.innerText.replace(/\u00a0/g, ' ') ?? '';
        return text.includes('return xs[0]') && !/^\s+\.\.\.$/m.test(text);
    }, ['.editor-instance .monaco-editor .view-lines'] as const, { timeout: 30000, polling: 100 });
    // the preview is in place while the solve still runs (a repair waits for the model)
    if (!(await wb.notification('pick_first').isVisible()) || !(await wb.statusItem('pick_first').isVisible())) {
        throw new Error('the solve had ended before the preview was written');
    }
    await progressEnded(ctx, 'pick_first');
    await page.keyboard.press('Control+S');
    const saved = await until('the saved file', 15000, () => {
        const text = fs.readFileSync(path.join(ctx.ws, 'preview.py'), 'utf8');
        return text.includes('return xs[0]') ? text : undefined;
    });
    if (/^\s+\.\.\.$/m.test(saved) || saved.split('def pick_first').length !== 2) throw new Error(`unexpected file:\n${saved}`);
}];

/** SSTAR_E2E_BACKEND=local (`npm run test:e2e:model`): the embedded model, one solve. */
export const MODEL_SCENARIOS: readonly Scenario[] = [vsix, modelSolve];

/** The S* output's log file(s) as text (the extension host writes them under the user-data-dir). */
function channelLog(ctx: Context): string {
    return grepTree(path.join(ctx.userData, 'logs'), RUNNING_LINE).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

const logLevel: Scenario = ['"Developer: Set Log Level..." Trace on the S* output traces the LSP messages', async (ctx: Context): Promise<void> => {
    const { wb } = ctx;
    // sstar.trace.server is not set in this run: until now the trace followed the level Info (off).
    const off = "LSP trace: off (from the S* output's log level Info)";
    const before = channelLog(ctx);
    if (!before.includes(off) || before.includes('Sending request')) throw new Error('the LSP trace was not off at log level Info');
    await wb.command('Developer: Set Log Level...');
    await wb.choose('S*', 'S*');
    await wb.choose('Trace', 'Trace');
    const verbose = "LSP trace: verbose (from the S* output's log level Trace)";
    const verboseAt = await until('the trace to follow the log level (Trace: verbose)', 30000, () => {
        const at = channelLog(ctx).indexOf(verbose);
        return at >= 0 ? at : undefined;
    });
    await wb.command('S*: Cancel'); // any request: sstar.cancel with no job running
    await wb.notification('nothing to cancel').waitFor({ timeout: 15000 });
    await until('a traced workspace/executeCommand after the level change', 30000, () =>
        channelLog(ctx).indexOf("Sending request 'workspace/executeCommand", verboseAt) > verboseAt ? true : undefined);
}];

export const SCENARIOS: readonly Scenario[] = [
    vsix, lightBulbSolve, mappedSettings, cancelButton, paletteCancel, showCandidates, regenerate, oddPath, editWhileFinishing,
    earlyPreview, restartServer, settingRestart, logLevel, apiKey,
];
