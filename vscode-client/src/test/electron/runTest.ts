/**
 * @vscode/test-electron runner for machines with a desktop VS Code (not run in CI here, where
 * only code-server runs: see src/test/e2e). Starts the scripted LLM, makes a workspace with a
 * copy of examples/text_tools.py and its settings, and runs ./suite in an Extension Development
 * Host with this extension loaded from source (`npm run compile` first).
 *
 *   VSCODE_EXECUTABLE_PATH=/usr/share/code/code npm run test:electron   # an installed VS Code
 *   npm run test:electron                                              # downloads VS Code stable
 *
 * Real server by default; SSTAR_E2E_SERVER=fake uses test-fixtures/fake-server. Needs a display
 * (run under `xvfb-run -a` on a headless Linux).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';
import { CLIENT_DIR, REPO_DIR, Stack, configFromEnv, startScriptedLlm, tempDir } from '../e2e/env';
import { ENV_API_KEY } from '../e2e/scenarios';

async function main(): Promise<number> {
    const config = configFromEnv();
    const stack = new Stack();
    const root = tempDir('sstar-electron-');
    try {
        const llmLog = path.join(root, 'llm-requests.jsonl');
        const llmUrl = await startScriptedLlm(stack, config.python, llmLog, path.join(root, 'scripted-llm.log'));
        const ws = path.join(root, 'workspace');
        fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
        fs.copyFileSync(path.join(REPO_DIR, 'examples', 'text_tools.py'), path.join(ws, 'text_tools.py'));
        fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({
            'sstar.interpreter': config.python,
            'sstar.baseUrl': llmUrl,
            'sstar.model': 'scripted',
            'sstar.samples': 3,
            'sstar.rounds': 1,
            'sstar.temperature': 0.3,
        }, null, 2));
        const env: Record<string, string> = {
            SSTAR_CACHE_DIR: path.join(root, 'cache'),
            OPENAI_API_KEY: ENV_API_KEY,
            SSTAR_E2E_LLM_LOG: llmLog,
        };
        if (config.server === 'fake') env.PYTHONPATH = path.join(CLIENT_DIR, 'test-fixtures', 'fake-server');
        const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH;
        await runTests({
            ...(vscodeExecutablePath !== undefined ? { vscodeExecutablePath } : { version: process.env.VSCODE_VERSION ?? 'stable' }),
            extensionDevelopmentPath: CLIENT_DIR,
            extensionTestsPath: path.join(__dirname, 'suite', 'index'),
            extensionTestsEnv: env,
            launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(root, 'user-data')],
        });
        return 0;
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        return 1;
    } finally {
        await stack.close();
        if (process.env.SSTAR_E2E_KEEP === undefined) fs.rmSync(root, { recursive: true, force: true });
    }
}

void main().then((code) => process.exit(code));
