import { state } from './vscode-stub';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { ResolveDeps, activeEnvironmentPath, candidates, checkImport, expandPath, resolveInterpreter } from '../../python';

function deps(over: Partial<ResolveDeps> & { importable?: string[] }): ResolveDeps & { checked: string[] } {
    const checked: string[] = [];
    return {
        setting: '',
        activeEnvironment: () => Promise.resolve(undefined),
        canImportServer: (command: string) => {
            checked.push(command);
            const ok = (over.importable ?? []).includes(command);
            return Promise.resolve({ ok, reason: ok ? '' : "ModuleNotFoundError: No module named 'lsp_server'" });
        },
        ...over,
        checked,
    };
}

describe('interpreter resolution', () => {
    beforeEach(() => state.reset());

    it('uses the setting alone when it is set (never a silent fallback)', async () => {
        const d = deps({ setting: '/opt/py/bin/python', activeEnvironment: () => Promise.resolve('/env/bin/python'), importable: ['python3'] });
        const result = await resolveInterpreter(d);
        assert.equal(result.ok, false);
        assert.deepEqual(d.checked, ['/opt/py/bin/python']);
        if (!result.ok) {
            assert.match(result.message, /\/opt\/py\/bin\/python \(from the setting sstar\.interpreter\): ModuleNotFoundError/);
            assert.match(result.message, /pip install sstar-lsp/);
            assert.match(result.message, /"sstar\.interpreter"/);
            assert.match(result.message, /S\*: Restart Server/);
        }
    });

    it('accepts a working setting', async () => {
        const result = await resolveInterpreter(deps({ setting: '/opt/py/bin/python', importable: ['/opt/py/bin/python'] }));
        assert.deepEqual(result, { ok: true, interpreter: { command: '/opt/py/bin/python', source: 'setting' } });
    });

    it('prefers the Python extension environment, then python3', async () => {
        const d = deps({ activeEnvironment: () => Promise.resolve('/env/bin/python'), importable: ['/env/bin/python', 'python3'] });
        assert.deepEqual(await resolveInterpreter(d), { ok: true, interpreter: { command: '/env/bin/python', source: 'python-extension' } });
        const d2 = deps({ activeEnvironment: () => Promise.resolve('/env/bin/python'), importable: ['python3'] });
        assert.deepEqual(await resolveInterpreter(d2), { ok: true, interpreter: { command: 'python3', source: 'default' } });
        assert.deepEqual(d2.checked, ['/env/bin/python', 'python3']);
    });

    it('falls back to python3 when the Python extension is missing or fails', async () => {
        assert.deepEqual(await candidates(deps({})), [{ command: 'python3', source: 'default' }]);
        const broken = deps({ activeEnvironment: () => Promise.reject(new Error('no api')) });
        assert.deepEqual(await candidates(broken), [{ command: 'python3', source: 'default' }]);
    });

    it('lists every interpreter it tried when none has the server', async () => {
        const result = await resolveInterpreter(deps({ activeEnvironment: () => Promise.resolve('/env/bin/python') }));
        assert.equal(result.ok, false);
        if (!result.ok) {
            assert.equal(result.tried.length, 2);
            assert.match(result.message, /Python extension's active environment/);
            assert.match(result.message, /python3 \(on PATH\)/);
        }
    });

    it('expands ${workspaceFolder} and ~ in the setting', () => {
        assert.equal(expandPath('${workspaceFolder}/.venv/bin/python', '/ws'), '/ws/.venv/bin/python');
        assert.equal(expandPath('~/py/bin/python', undefined), path.join(os.homedir(), 'py/bin/python'));
        assert.equal(expandPath('  python3.11 ', undefined), 'python3.11');
    });

    it('asks the ms-python.python API for the active environment executable', async () => {
        assert.equal(await activeEnvironmentPath(), undefined);
        state.extensions.set('ms-python.python', {
            isActive: true,
            exports: {
                environments: {
                    getActiveEnvironmentPath: () => ({ id: 'venv', path: '/proj/.venv' }),
                    resolveEnvironment: (env: { path: string }) => Promise.resolve({ executable: { uri: { fsPath: `${env.path}/bin/python` } } }),
                    onDidChangeActiveEnvironmentPath: () => ({ dispose: () => undefined }),
                },
            },
        });
        assert.equal(await activeEnvironmentPath(), '/proj/.venv/bin/python');
    });
});

describe('checkImport (real interpreter)', () => {
    const python = process.env.SSTAR_TEST_PYTHON ?? 'python3';

    it('succeeds when lsp_server is importable, and fails with the import error otherwise', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sstar-unit-'));
        fs.mkdirSync(path.join(dir, 'lsp_server'));
        fs.writeFileSync(path.join(dir, 'lsp_server', '__init__.py'), '');
        const saved = process.env.PYTHONPATH;
        try {
            process.env.PYTHONPATH = dir;
            assert.deepEqual(await checkImport(python, os.tmpdir()), { ok: true, reason: '' });
            process.env.PYTHONPATH = '';
            const missing = await checkImport(python, os.tmpdir());
            assert.equal(missing.ok, false);
            assert.match(missing.reason, /No module named 'lsp_server'/);
            // PYTHONSAFEPATH: a workspace folder (the cwd) never shadows the server's packages.
            const shadow = await checkImport(python, dir);
            assert.equal(shadow.ok, false);
        } finally {
            if (saved === undefined) delete process.env.PYTHONPATH; else process.env.PYTHONPATH = saved;
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('reports a missing interpreter as not found', async () => {
        assert.deepEqual(await checkImport('/nonexistent/bin/python', undefined), { ok: false, reason: 'not found' });
    });
});
