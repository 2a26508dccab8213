import './vscode-stub';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLIENT_COMMANDS } from '../../commands';
import { CLIENT_ONLY_KEYS, DEFAULTS, LOCAL_MODELS, SECTION, SERVER_SETTING_KEYS } from '../../settings';

interface Property { type: string; default: unknown; enum?: string[]; markdownDescription?: string; description?: string }
interface Manifest {
    main: string;
    activationEvents: string[];
    contributes: {
        configuration: { properties: Record<string, Property> };
        commands: { command: string; title: string; category?: string }[];
    };
    scripts: Record<string, string>;
}

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

describe('package.json contributions', () => {
    it('contributes every server setting with the default the client sends and a description', () => {
        for (const key of SERVER_SETTING_KEYS) {
            const property = properties[`${SECTION}.${key}`];
            assert.ok(property !== undefined, `sstar.${key} is not contributed`);
            assert.deepEqual(property.default, DEFAULTS[key], `sstar.${key}'s default`);
            assert.ok((property.markdownDescription ?? property.description ?? '').length > 10, `sstar.${key} has no description`);
        }
        assert.deepEqual(properties['sstar.localModel']?.enum, [...LOCAL_MODELS]);
    });

    it('contributes nothing else but the client-only settings, and never an API key setting', () => {
        const expected = [...SERVER_SETTING_KEYS, ...CLIENT_ONLY_KEYS].map((k) => `${SECTION}.${k}`).sort();
        assert.deepEqual(Object.keys(properties).sort(), expected);
        assert.ok(!Object.keys(properties).some((k) => /apikey$/i.test(k)), 'the API key belongs in SecretStorage');
    });

    it('contributes the command palette entries of the issue, under category S*', () => {
        const titles = new Map(manifest.contributes.commands.map((c) => [c.command, `${c.category ?? ''}: ${c.title}`]));
        assert.deepEqual([...titles.keys()].sort(), Object.values(CLIENT_COMMANDS).sort());
        for (const title of ['S*: Solve Stub at Cursor', 'S*: Regenerate with More Samples', 'S*: Cancel', 'S*: Show Candidates',
            'S*: Show Output', 'S*: Restart Server', 'S*: Set API Key']) {
            assert.ok([...titles.values()].includes(title), `no command titled ${title}`);
        }
    });

    it('activates on Python files, runs the esbuild bundle and packages it to a fixed .vsix name', () => {
        assert.deepEqual(manifest.activationEvents, ['onLanguage:python']);
        assert.equal(manifest.main, './dist/extension.js');
        assert.match(manifest.scripts.bundle ?? '', /esbuild src\/extension\.ts --bundle --outfile=dist\/extension\.js --external:vscode/);
        assert.match(manifest.scripts['vscode:prepublish'] ?? '', /npm run bundle/);
        assert.match(manifest.scripts.package ?? '', /vsce package --no-dependencies --out sstar-lsp\.vsix/);
    });
});
