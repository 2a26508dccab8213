/**
 * End-to-end test of the packaged extension in a real VS Code (code-server) driven headless by
 * Playwright in Debian's Chromium. Scenarios: the "Solve with S*" code action from Ctrl+. edits
 * the stub; a long solve shows a notification whose Cancel button cancels the server's job;
 * "S*: Show Candidates" shows a QuickPick; "S*: Set API Key" restarts the server with the key
 * and the key never reaches the logs. Prints "N passed, M failed"; exits non-zero on a failure.
 *
 * SSTAR_E2E_SERVER=fake|real (default: real once lsp_server/__main__.py exists),
 * SSTAR_E2E_PYTHON (default ../.venv/bin/python), SSTAR_E2E_LLM_URL (default: start
 * tests/support/scripted_llm.py), CODE_SERVER_ENTRY (default: scripts/install-code-server.sh).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { CLIENT_DIR, REPO_DIR, RESULTS_DIR, Stack, configFromEnv, ensureCodeServer, packageVsix, tempDir, waitForOutput } from './env';
import { Workbench } from './workbench';

const PALINDROME_BODY = [
    'def is_palindrome(text: str) -> bool:',
    '    letters = [c.lower() for c in text if c.isalpha()]',
    '    return letters == letters[::-1]',
].join('\n');

const SLOW_FILE = [
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

const API_KEY = 'sk-e2e-secret-4f9a1c77';

interface Outcome { name: string; ok: boolean; error?: string; seconds: number }

function lineOf(text: string, predicate: (line: string, index: number, lines: string[]) => boolean): number {
    const lines = text.split('\n');
    const index = lines.findIndex(predicate);
    if (index < 0) throw new Error('line not found');
    return index + 1;
}

/** The 1-based line of the stub statement (`pass` / `...` / `raise`) inside `def name`. */
function stubLine(source: string, name: string): number {
    const def = lineOf(source, (l) => l.startsWith(`def ${name}(`));
    return lineOf(source, (l, i) => i >= def && /^\s+(pass|\.\.\.|raise NotImplementedError)/.test(l));
}

function readJsonLines(file: string): Record<string, unknown>[] {
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 200)); // polling a file, not synchronising
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

async function main(): Promise<number> {
    const config = configFromEnv();
    const stack = new Stack();
    const outcomes: Outcome[] = [];
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    const root = tempDir('sstar-e2e-');
    console.log(`e2e: server=${config.server} python=${config.python} dir=${root}`);
    try {
        const entry = ensureCodeServer(config);
        const vsix = packageVsix(root);

        const ws = path.join(root, 'workspace');
        fs.mkdirSync(ws);
        const textTools = fs.readFileSync(path.join(REPO_DIR, 'examples', 'text_tools.py'), 'utf8');
        fs.writeFileSync(path.join(ws, 'text_tools.py'), textTools);
        fs.writeFileSync(path.join(ws, 'slow.py'), SLOW_FILE);
        const fakeLog = path.join(root, 'fake-server.jsonl');

        let llmUrl = config.llmUrl;
        if (llmUrl === '' && config.server === 'real') {
            const script = path.join(root, 'llm-script.json');
            fs.writeFileSync(script, JSON.stringify({
                model: 'scripted',
                default: '```python\n' + PALINDROME_BODY + '\n```\n',
                rules: [
                    { match: 'slow_sum', reply: { hang: true } },
                    { match: 'is_palindrome', reply: 'Here it is:\n```python\n' + PALINDROME_BODY + '\n```\n' },
                ],
            }));
            const llm = stack.spawn(config.python, ['-m', 'tests.support.scripted_llm', '--port', '0', '--script', script,
                '--log', path.join(root, 'llm-requests.jsonl')], { cwd: REPO_DIR, log: path.join(RESULTS_DIR, 'scripted-llm.log') });
            llmUrl = await waitForOutput(llm, /LISTENING (\S+)/, 30000, 'scripted LLM');
        }

        const userData = path.join(root, 'user-data');
        const extensionsDir = path.join(root, 'extensions');
        fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
        const settings: Record<string, unknown> = {
            'sstar.interpreter': config.python,
            'sstar.samples': 3,
            'sstar.rounds': 1,
            'sstar.trace.server': 'verbose',
            'sstar.baseUrl': llmUrl,
            'sstar.model': config.server === 'real' ? 'scripted' : '',
            'security.workspace.trust.enabled': false,
            'workbench.startupEditor': 'none',
            'workbench.tips.enabled': false,
            'workbench.enableExperiments': false,
            'extensions.autoCheckUpdates': false,
            'extensions.autoUpdate': false,
            'extensions.ignoreRecommendations': true,
            'telemetry.telemetryLevel': 'off',
            'update.mode': 'none',
            'git.enabled': false,
            'editor.lightbulb.enabled': 'on',
            'files.autoSave': 'off',
            'window.restoreWindows': 'none',
        };
        fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
        execFileSync(process.execPath, [entry, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userData],
            { stdio: ['ignore', 'ignore', 'inherit'] });

        const env: NodeJS.ProcessEnv = {
            ...process.env,
            SSTAR_FAKE_LOG: fakeLog,
            SSTAR_CACHE_DIR: path.join(root, 'cache'),
            OPENAI_API_KEY: 'sk-e2e-dummy',
        };
        if (config.server === 'fake') {
            env.PYTHONPATH = path.join(CLIENT_DIR, 'test-fixtures', 'fake-server');
        }
        fs.writeFileSync(path.join(root, 'code-server.yaml'), 'auth: none\ncert: false\n');
        const codeServer = stack.spawn(process.execPath, [entry, '--config', path.join(root, 'code-server.yaml'),
            '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
            '--disable-workspace-trust', '--disable-getting-started-override',
            '--user-data-dir', userData, '--extensions-dir', extensionsDir, ws],
        { env, log: path.join(RESULTS_DIR, 'code-server.log') });
        const url = await waitForOutput(codeServer, /HTTP server listening on (http:\/\/\S+?)\/?\s/, 60000, 'code-server');

        const profile = path.join(root, 'chromium-profile');
        fs.mkdirSync(profile);
        const browser = await chromium.launchPersistentContext(profile, {
            executablePath: '/usr/bin/chromium',
            headless: true,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync'],
            viewport: { width: 1400, height: 900 },
        });
        stack.defer(() => browser.close());
        const page = browser.pages()[0] ?? await browser.newPage();
        page.setDefaultTimeout(30000);
        const wb = new Workbench(page);
        await page.goto(`${url}/?folder=${encodeURIComponent(ws)}`);
        await wb.ready(90000);

        const test = async (name: string, body: () => Promise<void> | void): Promise<void> => {
            const started = Date.now();
            try {
                await body();
                outcomes.push({ name, ok: true, seconds: (Date.now() - started) / 1000 });
                console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                outcomes.push({ name, ok: false, error: message, seconds: (Date.now() - started) / 1000 });
                console.log(`FAIL ${name}: ${message}`);
                await wb.screenshot(path.join(RESULTS_DIR, `fail-${name.replace(/\W+/g, '-')}.png`)).catch(() => undefined);
            }
        };

        await test('code action "Solve with S*" edits the stub', async () => {
            await wb.openFile('text_tools.py');
            await wb.gotoLine(stubLine(textTools, 'is_palindrome'), 5);
            await wb.pickCodeAction('Solve with S*', 90000);
            await until('the solved body in the editor', config.timeoutMs, async () =>
                (await wb.editorText()).includes('return letters == letters[::-1]') ? true : undefined);
            await wb.notification('solving is_palindrome').waitFor({ state: 'hidden', timeout: 30000 });
            await wb.screenshot(path.join(RESULTS_DIR, 'solved.png'));
            await page.keyboard.press('Control+S');
            const saved = await until('the saved file', 15000, () => {
                const text = fs.readFileSync(path.join(ws, 'text_tools.py'), 'utf8');
                return text.includes('return letters == letters[::-1]') ? text : undefined;
            });
            const start = saved.indexOf('def is_palindrome(');
            const fn = saved.slice(start, saved.indexOf('\ndef ', start + 1));
            if (/^\s+pass\s*$/m.test(fn)) throw new Error(`the stub's pass is still there:\n${fn}`);
            if (!saved.includes('def word_counts(')) throw new Error('the edit touched more than the stub');
            if (!fn.includes('>>> is_palindrome("hello")')) throw new Error('the docstring was not kept');
        });

        await test('progress notification has a working Cancel button', async () => {
            await wb.openFile('slow.py');
            await wb.gotoLine(stubLine(SLOW_FILE, 'slow_sum'), 5);
            await wb.command('S*: Solve Stub at Cursor');
            const toast = wb.notification('slow_sum');
            await toast.waitFor({ timeout: 60000 });
            const cancel = toast.getByRole('button', { name: 'Cancel' });
            await cancel.waitFor({ timeout: 10000 });
            await until('the status bar to show the running job', 30000, async () =>
                /slow_sum/.test(await wb.statusItem().innerText()) ? true : undefined);
            await wb.settled(toast);
            await wb.screenshot(path.join(RESULTS_DIR, 'progress.png'));
            await cancel.click();
            await toast.waitFor({ state: 'hidden', timeout: 15000 });
            if (config.server === 'fake') {
                await until('the server to see window/workDoneProgress/cancel', 20000, () =>
                    readJsonLines(fakeLog).some((e) => e.event === 'progress_cancel') ? true : undefined);
            }
            await until('the status bar to go idle', 30000, async () =>
                /slow_sum/.test(await wb.statusItem().innerText()) ? undefined : true);
            if (!(await wb.editorText()).includes('pass')) throw new Error('the cancelled solve still edited the file');
        });

        await test('"S*: Show Candidates" shows a QuickPick with pass counts', async () => {
            await wb.openFile('text_tools.py');
            await wb.gotoLine(stubLine(textTools, 'is_palindrome') + 1, 5);
            await wb.command('S*: Show Candidates');
            const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: /\d+\/\d+ passed/ }).first();
            await row.waitFor({ timeout: 30000 });
            await wb.screenshot(path.join(RESULTS_DIR, 'candidates.png'));
            await row.click();
            if (config.server === 'fake') {
                await until('sstar.applyCandidate at the server', 20000, () =>
                    readJsonLines(fakeLog).some((e) => e.event === 'apply_candidate') ? true : undefined);
            }
        });

        if (config.server === 'fake') {
            await test('server receives the mapped settings', () => {
                const events = readJsonLines(fakeLog);
                const conf = events.find((e) => e.event === 'configuration')?.value as Record<string, unknown> | undefined;
                const init = events.find((e) => e.event === 'initialize')?.options as Record<string, unknown> | undefined;
                if (conf?.samples !== 3 || conf.rounds !== 1 || conf.localModel !== 'qwen2.5-coder-0.5b') throw new Error(`configuration: ${JSON.stringify(conf)}`);
                if ('interpreter' in conf || 'trace' in conf) throw new Error(`client-only settings leaked: ${JSON.stringify(conf)}`);
                if (init?.samples !== 3 || 'apiKey' in init) throw new Error(`initializationOptions: ${JSON.stringify(init)}`);
            });
        }

        await test('"S*: Set API Key" restarts the server with the key, never logged', async () => {
            const starts = readJsonLines(fakeLog).filter((e) => e.event === 'initialize').length;
            await wb.command('S*: Set API Key');
            const input = page.locator('.quick-input-widget input.input');
            await input.waitFor({ timeout: 10000 });
            await input.fill(API_KEY);
            await page.keyboard.press('Enter');
            await wb.notification('API key stored').waitFor({ timeout: 20000 });
            if (config.server === 'fake') {
                await until('a restarted server with the key', 60000, () => {
                    const inits = readJsonLines(fakeLog).filter((e) => e.event === 'initialize');
                    const last = inits[inits.length - 1]?.options as Record<string, unknown> | undefined;
                    return inits.length > starts && last?.apiKey === API_KEY ? true : undefined;
                });
            }
            await wb.command('S*: Show Output');
            await page.locator('.output-view, .panel .monaco-editor').first().waitFor({ timeout: 15000 });
            await wb.screenshot(path.join(RESULTS_DIR, 'output.png'));
            const redacted = await until('the redacted initialize trace in the log files', 30000, () =>
                grepTree(path.join(userData, 'logs'), '<redacted>').length > 0 ? true : undefined);
            const leaks = grepTree(userData, API_KEY).filter((p) => !p.includes('Local Storage') && !p.includes('globalStorage'));
            if (!redacted || leaks.length > 0) throw new Error(`the API key is in: ${leaks.join(', ')}`);
        });

        await wb.screenshot(path.join(RESULTS_DIR, 'final.png'));
    } catch (error) {
        outcomes.push({ name: 'setup', ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error), seconds: 0 });
        console.log(`FAIL setup: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    } finally {
        await stack.close();
        if (process.env.SSTAR_E2E_KEEP === undefined) fs.rmSync(root, { recursive: true, force: true });
    }
    const passed = outcomes.filter((o) => o.ok).length;
    const failed = outcomes.length - passed;
    fs.writeFileSync(path.join(RESULTS_DIR, 'e2e-results.json'), JSON.stringify(outcomes, null, 2));
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 && passed > 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => { console.error(error); process.exit(1); });
