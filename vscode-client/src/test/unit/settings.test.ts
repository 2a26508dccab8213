import { state } from './vscode-stub';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import {
    DEFAULTS,
    SERVER_SETTING_KEYS,
    changeAction,
    describeTrace,
    effectiveTrace,
    getInterpreterSetting,
    getServerSettings,
    initializationOptions,
    readServerSettings,
} from '../../settings';

const reader = (values: Record<string, unknown>) => ({ get: (key: string) => values[key] });

describe('settings mapping', () => {
    beforeEach(() => state.reset());

    it('gives the contract defaults when nothing is set', () => {
        const { settings, problems } = readServerSettings(reader({}));
        assert.deepEqual(settings, { ...DEFAULTS, requireIsolation: [] });
        assert.deepEqual(problems, []);
        assert.equal(settings.samples, 8);
        assert.equal(settings.apiKeyEnv, 'OPENAI_API_KEY');
        assert.equal(settings.localModel, 'qwen2.5-coder-1.5b');
    });

    it('covers exactly the server keys of the contract, camelCase', () => {
        // package.json's contributions are generated from sstar/settings_schema.py (a Python test
        // checks that): the client maps exactly those, less the client's own keys.
        const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
            contributes: { configuration: { properties: Record<string, unknown> } };
        };
        const contributed = Object.keys(manifest.contributes.configuration.properties)
            .map((key) => key.replace(/^sstar\./, ''))
            .filter((key) => key !== 'interpreter' && key !== 'trace.server');
        assert.deepEqual([...SERVER_SETTING_KEYS].sort(), contributed.sort());
        for (const key of ['apiKeyEnv', 'baseUrl', 'samples', 'rounds', 'requireIsolation', 'sandboxHiddenFiles']) {
            assert.ok(SERVER_SETTING_KEYS.includes(key as never), key);
        }
        for (const key of SERVER_SETTING_KEYS) assert.match(key, /^[a-z][a-zA-Z0-9]*$/);
    });

    it('passes valid values through unchanged', () => {
        const values = {
            baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'MY_KEY', samples: 16, rounds: 0,
            temperature: 0.2, maxConcurrency: 2, timeoutSeconds: 30.5, maxCalls: 10, maxTokens: 5000,
            localModel: 'qwen2.5-coder-0.5b', modelPath: '/m.gguf', sandboxTimeoutSeconds: 0.5,
            sandboxMemoryMb: 256, sandboxOutputKb: 8, requireIsolation: ['seccomp', 'landlock'],
            solveTimeoutSeconds: 90, adaptiveSamples: 4, sandboxHiddenFiles: ['.*', '*.pem'],
        };
        const { settings, problems } = readServerSettings(reader(values));
        assert.deepEqual(settings, values);
        assert.deepEqual(problems, []);
    });

    it('replaces invalid values by defaults and says which', () => {
        const { settings, problems } = readServerSettings(reader({
            samples: 0, rounds: 1.5, temperature: 'hot', localModel: 'gpt-5', requireIsolation: ['ok', 3],
            timeoutSeconds: Number.NaN, baseUrl: 42,
        }));
        assert.equal(settings.samples, 8);
        assert.equal(settings.rounds, 2);
        assert.equal(settings.temperature, 0.7);
        assert.equal(settings.localModel, 'qwen2.5-coder-1.5b');
        assert.deepEqual(settings.requireIsolation, []);
        assert.equal(settings.timeoutSeconds, 120);
        assert.equal(settings.baseUrl, '');
        assert.equal(problems.length, 7);
        assert.match(problems.join('\n'), /sstar\.samples: 0 is not valid; using 8/);
    });

    it('reads section sstar through the vscode API, leaving client-only keys out', () => {
        state.config.set('sstar.samples', 4);
        state.config.set('sstar.interpreter', '/usr/bin/python3.11');
        state.config.set('sstar.trace.server', 'verbose');
        const { settings } = getServerSettings();
        assert.equal(settings.samples, 4);
        assert.ok(!('interpreter' in settings));
        assert.ok(!('trace' in settings));
        assert.equal(getInterpreterSetting(), '/usr/bin/python3.11');
    });

    it('adds the API key to initializationOptions only when one is stored', () => {
        const { settings } = readServerSettings(reader({}));
        assert.deepEqual(initializationOptions(settings, undefined), { ...DEFAULTS });
        assert.deepEqual(initializationOptions(settings, ''), { ...DEFAULTS });
        // Exactly the settings plus `apiKey`: the key goes nowhere else.
        assert.deepEqual(initializationOptions(settings, 'sk-1'), { ...DEFAULTS, apiKey: 'sk-1' });
    });

    it('maps the trace setting and the channel log level to an LSP trace', () => {
        assert.equal(effectiveTrace('verbose', 3), 'verbose');
        assert.equal(effectiveTrace('messages', 1), 'messages');
        assert.equal(effectiveTrace('off', 1), 'verbose'); // Set Log Level: Trace
        assert.equal(effectiveTrace('off', 2), 'messages'); // Debug
        assert.equal(effectiveTrace('off', 3), 'off'); // Info
        assert.equal(effectiveTrace(undefined, 4), 'off');
    });

    it('says where the trace comes from', () => {
        assert.equal(describeTrace('verbose', 'verbose', 3), 'LSP trace: verbose (from sstar.trace.server)');
        assert.equal(describeTrace('verbose', 'off', 1), "LSP trace: verbose (from the S* output's log level Trace)");
        assert.equal(describeTrace('off', undefined, 3), "LSP trace: off (from the S* output's log level Info)");
    });

    it('restarts on server settings and the interpreter, only re-traces on trace.server', () => {
        const only = (...sections: string[]) => (s: string) => sections.includes(s) || sections.some((x) => x.startsWith(`${s}.`));
        assert.equal(changeAction(only('sstar.samples')), 'restart');
        assert.equal(changeAction(only('sstar.interpreter')), 'restart');
        assert.equal(changeAction(only('sstar.baseUrl')), 'restart');
        assert.equal(changeAction(only('sstar.trace.server')), 'trace');
        assert.equal(changeAction(only('editor.fontSize')), 'none');
    });
});
