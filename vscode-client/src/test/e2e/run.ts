/**
 * End-to-end test of the packaged extension in a real VS Code (code-server) driven headless by
 * Playwright in Debian's Chromium: packages the .vsix (`npm run package`), installs it into a
 * fresh code-server user-data-dir, starts the scripted LLM, opens a workspace of copied examples
 * and runs the scenarios of scenarios.ts. Prints "N passed, M failed", writes
 * test-results/e2e-results.json and screenshots, and exits non-zero on a failure.
 *
 * SSTAR_E2E_SERVER=real|fake (default real: `python -m lsp_server` of this repository; fake: the
 * stand-in of test-fixtures/fake-server), SSTAR_E2E_BACKEND=scripted|local (default scripted;
 * local = the embedded model, only the light-bulb solve: `npm run test:e2e:model`), SSTAR_E2E_PYTHON (default ../.venv/bin/python),
 * CODE_SERVER_ENTRY (default: scripts/install-code-server.sh), SSTAR_E2E_KEEP=1 keeps the temp dir.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { chromium } from 'playwright-core';
import {
    CLIENT_DIR, E2E_LOCAL_MODEL, REPO_DIR, Stack, resultsDir, configFromEnv, ensureCodeServer, packageVsix, startScriptedLlm, tempDir,
    vsixEntries, waitForOutput,
} from './env';
import { Context, ENV_API_KEY, LATE_FILE, MODEL_SCENARIOS, ODD_FILE, ODD_PATH, PREVIEW_FILE, SCENARIOS, SLOW_FILE } from './scenarios';
import { Workbench } from './workbench';

interface Outcome { name: string; ok: boolean; error?: string; seconds: number }

function userSettings(python: string, llmUrl: string | undefined): Record<string, unknown> {
    // The embedded model (llmUrl undefined) runs 2 samples, 1 round: ~30 tokens/s on 2 cores.
    const model = llmUrl === undefined
        ? { 'sstar.baseUrl': '', 'sstar.model': '', 'sstar.samples': 2, 'sstar.rounds': 1 }
        : { 'sstar.baseUrl': llmUrl, 'sstar.model': 'scripted', 'sstar.samples': 3, 'sstar.rounds': 1, 'sstar.temperature': 0.3 };
    return {
        'sstar.interpreter': python,
        'sstar.localModel': E2E_LOCAL_MODEL,
        ...model,
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
}

async function main(): Promise<number> {
    const config = configFromEnv();
    const stack = new Stack();
    const outcomes: Outcome[] = [];
    const results = resultsDir(config.backend);
    // Stale screenshots of an earlier run must not pass for this one's (the model run keeps its own folder).
    for (const name of fs.existsSync(results) ? fs.readdirSync(results) : []) {
        if (name !== 'model') fs.rmSync(path.join(results, name), { recursive: true, force: true });
    }
    fs.mkdirSync(results, { recursive: true });
    const root = tempDir('sstar-e2e-');
    // Ctrl+C or a CI timeout must not leave code-server, the language server or Chromium behind.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
            console.log(`${signal}: stopping everything the e2e started`);
            void stack.close().finally(() => {
                fs.rmSync(root, { recursive: true, force: true });
                process.exit(signal === 'SIGINT' ? 130 : 143);
            });
        });
    }
    const timings: Record<string, number> = {};
    let mark = Date.now();
    const lap = (what: string): void => { timings[what] = (Date.now() - mark) / 1000; mark = Date.now(); };
    console.log(`e2e: server=${config.server} backend=${config.backend} python=${config.python} dir=${root}`);
    try {
        const entry = ensureCodeServer(config);
        lap('code-server install (cached)');
        const vsix = packageVsix();
        const entries = vsixEntries(config.python, vsix);
        lap('vsce package');

        const ws = path.join(root, 'workspace');
        fs.mkdirSync(ws);
        const textTools = fs.readFileSync(path.join(REPO_DIR, 'examples', 'text_tools.py'), 'utf8');
        fs.writeFileSync(path.join(ws, 'text_tools.py'), textTools);
        fs.writeFileSync(path.join(ws, 'slow.py'), SLOW_FILE);
        fs.mkdirSync(path.join(ws, ODD_PATH[0]));
        fs.writeFileSync(path.join(ws, ...ODD_PATH), ODD_FILE);
        fs.writeFileSync(path.join(ws, 'late.py'), LATE_FILE);
        fs.writeFileSync(path.join(ws, 'preview.py'), PREVIEW_FILE);
        const fakeLog = path.join(root, 'fake-server.jsonl');
        const llmLog = path.join(results, 'llm-requests.jsonl');
        const llmUrl = config.backend === 'local'
            ? undefined
            : await startScriptedLlm(stack, config.python, llmLog, path.join(results, 'scripted-llm.log'));

        const userData = path.join(root, 'user-data');
        const extensionsDir = path.join(root, 'extensions');
        fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
        fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(config.python, llmUrl), null, 2));
        execFileSync(process.execPath, [entry, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userData],
            { stdio: ['ignore', 'ignore', 'inherit'] });
        lap('install the .vsix into code-server');

        const env: NodeJS.ProcessEnv = { ...process.env, SSTAR_FAKE_LOG: fakeLog, OPENAI_API_KEY: ENV_API_KEY };
        if (config.backend === 'scripted') {
            env.SSTAR_CACHE_DIR = path.join(root, 'cache'); // no result cache shared with other runs
        } // else the embedded model and llama-server are found in the user's cache (SSTAR_CACHE_DIR as set, or ~/.cache/sstar)
        if (config.server === 'fake') {
            env.PYTHONPATH = path.join(CLIENT_DIR, 'test-fixtures', 'fake-server');
        }
        fs.writeFileSync(path.join(root, 'code-server.yaml'), 'auth: none\ncert: false\n');
        const codeServer = stack.spawn(process.execPath, [entry, '--config', path.join(root, 'code-server.yaml'),
            '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
            '--disable-workspace-trust', '--disable-getting-started-override',
            '--user-data-dir', userData, '--extensions-dir', extensionsDir, ws],
        { env, log: path.join(results, 'code-server.log') });
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
        lap('start code-server and load the workbench');

        const ctx: Context = { config, page, wb, results, ws, userData, fakeLog, llmLog, vsixEntries: entries, textTools };
        const scenarios = config.backend === 'local' ? MODEL_SCENARIOS : SCENARIOS;
        for (const [name, body] of scenarios) {
            const started = Date.now();
            try {
                await body(ctx);
                outcomes.push({ name, ok: true, seconds: (Date.now() - started) / 1000 });
                console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                outcomes.push({ name, ok: false, error: message, seconds: (Date.now() - started) / 1000 });
                console.log(`FAIL ${name}: ${message}`);
                await wb.screenshot(path.join(results, `fail-${name.replace(/\W+/g, '-')}.png`)).catch(() => undefined);
            }
        }
        lap('scenarios');
        await wb.screenshot(path.join(results, 'final.png'));
    } catch (error) {
        const message = error instanceof Error ? error.stack ?? error.message : String(error);
        outcomes.push({ name: 'setup', ok: false, error: message, seconds: 0 });
        console.log(`FAIL setup: ${message}`);
    } finally {
        await stack.close();
        if (process.env.SSTAR_E2E_KEEP === undefined) fs.rmSync(root, { recursive: true, force: true });
    }
    const passed = outcomes.filter((o) => o.ok).length;
    const failed = outcomes.length - passed;
    fs.writeFileSync(path.join(results, 'e2e-results.json'), JSON.stringify({ server: config.server, backend: config.backend, outcomes, timings }, null, 2));
    console.log(`timings (s): ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; ')}`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 && passed === (config.backend === 'local' ? MODEL_SCENARIOS : SCENARIOS).length ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => { console.error(error); process.exit(1); });
