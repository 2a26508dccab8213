/**
 * Maps VS Code's `sstar.*` settings to the server's settings object (the camelCase keys of the
 * shared contract) and decides which setting changes need a server restart. Pure functions over
 * a `get(key)` reader, so they are unit-tested without VS Code.
 */
import { ConfigurationChangeEvent, ConfigurationScope, LogLevel, Uri } from 'vscode';
import { getConfiguration } from './vscodeapi';

export const SECTION = 'sstar';

export type LocalModel = 'qwen2.5-coder-0.5b' | 'qwen2.5-coder-1.5b';
export const LOCAL_MODELS: readonly LocalModel[] = ['qwen2.5-coder-0.5b', 'qwen2.5-coder-1.5b'];

/** What the server reads from workspace/configuration (section `sstar`) and initializationOptions. */
export interface ServerSettings {
    baseUrl: string;
    model: string;
    apiKeyEnv: string;
    samples: number;
    rounds: number;
    temperature: number;
    maxConcurrency: number;
    timeoutSeconds: number;
    maxCalls: number;
    maxTokens: number;
    localModel: LocalModel;
    modelPath: string;
    sandboxTimeoutSeconds: number;
    sandboxMemoryMb: number;
    sandboxOutputKb: number;
    requireIsolation: string[];
}

export const DEFAULTS: Readonly<ServerSettings> = Object.freeze({
    baseUrl: '',
    model: '',
    apiKeyEnv: 'OPENAI_API_KEY',
    samples: 8,
    rounds: 2,
    temperature: 0.7,
    maxConcurrency: 8,
    timeoutSeconds: 120,
    maxCalls: 200,
    maxTokens: 200000,
    localModel: 'qwen2.5-coder-0.5b',
    modelPath: '',
    sandboxTimeoutSeconds: 2,
    sandboxMemoryMb: 512,
    sandboxOutputKb: 64,
    requireIsolation: [],
});

type Kind = 'string' | 'int' | 'number' | 'enum' | 'strings';
interface Rule { kind: Kind; min?: number; max?: number; values?: readonly string[] }

const RULES: { [K in keyof ServerSettings]: Rule } = {
    baseUrl: { kind: 'string' },
    model: { kind: 'string' },
    apiKeyEnv: { kind: 'string' },
    samples: { kind: 'int', min: 1 },
    rounds: { kind: 'int', min: 0 },
    temperature: { kind: 'number', min: 0, max: 2 },
    maxConcurrency: { kind: 'int', min: 1 },
    timeoutSeconds: { kind: 'number', min: 0.001 },
    maxCalls: { kind: 'int', min: 1 },
    maxTokens: { kind: 'int', min: 1 },
    localModel: { kind: 'enum', values: LOCAL_MODELS },
    modelPath: { kind: 'string' },
    sandboxTimeoutSeconds: { kind: 'number', min: 0.001 },
    sandboxMemoryMb: { kind: 'int', min: 1 },
    sandboxOutputKb: { kind: 'int', min: 1 },
    requireIsolation: { kind: 'strings' },
};

export const SERVER_SETTING_KEYS = Object.keys(RULES) as (keyof ServerSettings)[];

/** Settings that belong to the client only (never sent to the server as server settings). */
export const CLIENT_ONLY_KEYS = ['interpreter', 'trace.server'] as const;

export interface SettingsReader { get(key: string): unknown }

export interface ReadResult {
    settings: ServerSettings;
    /** One line per rejected value, saying which default replaced it. */
    problems: string[];
}

function accept(value: unknown, rule: Rule): boolean {
    switch (rule.kind) {
        case 'string':
            return typeof value === 'string';
        case 'enum':
            return typeof value === 'string' && (rule.values ?? []).includes(value);
        case 'strings':
            return Array.isArray(value) && value.every((v) => typeof v === 'string');
        case 'int':
        case 'number': {
            if (typeof value !== 'number' || !Number.isFinite(value)) return false;
            if (rule.kind === 'int' && !Number.isInteger(value)) return false;
            if (rule.min !== undefined && value < rule.min) return false;
            return rule.max === undefined || value <= rule.max;
        }
    }
}

/** Reads every server setting; a missing value takes the default, an invalid one too (with a problem). */
export function readServerSettings(reader: SettingsReader): ReadResult {
    const settings: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const key of SERVER_SETTING_KEYS) {
        const rule = RULES[key];
        const fallback = DEFAULTS[key];
        const value = reader.get(key);
        if (value === undefined || value === null) {
            settings[key] = Array.isArray(fallback) ? [...fallback] : fallback;
        } else if (accept(value, rule)) {
            settings[key] = Array.isArray(value) ? [...(value as string[])] : value;
        } else {
            settings[key] = Array.isArray(fallback) ? [...fallback] : fallback;
            problems.push(`sstar.${key}: ${JSON.stringify(value)} is not valid; using ${JSON.stringify(fallback)}`);
        }
    }
    return { settings: settings as unknown as ServerSettings, problems };
}

/** The server settings of a resource (or the window), read from VS Code. */
export function getServerSettings(scope?: ConfigurationScope | null): ReadResult {
    return readServerSettings(getConfiguration(SECTION, scope));
}

/** The raw `sstar.interpreter` value ('' when unset). */
export function getInterpreterSetting(scope?: ConfigurationScope | null): string {
    const value = getConfiguration(SECTION, scope).get<unknown>('interpreter');
    return typeof value === 'string' ? value.trim() : '';
}

/** `initializationOptions`: the settings plus the API key (only when one is stored). */
export function initializationOptions(settings: ServerSettings, apiKey: string | undefined): Record<string, unknown> {
    const options: Record<string, unknown> = { ...settings };
    if (apiKey !== undefined && apiKey !== '') {
        options.apiKey = apiKey;
    }
    return options;
}

export type TraceSetting = 'off' | 'messages' | 'verbose';

/**
 * The LSP trace to use: an explicit `sstar.trace.server` wins; `off` defers to the output
 * channel's log level ("Developer: Set Log Level..."), Trace -> verbose, Debug -> messages.
 */
export function effectiveTrace(setting: unknown, channelLevel: LogLevel): TraceSetting {
    if (setting === 'messages' || setting === 'verbose') return setting;
    if (channelLevel === LogLevel.Trace) return 'verbose';
    if (channelLevel === LogLevel.Debug) return 'messages';
    return 'off';
}

const LEVEL_NAMES: Record<number, string> = {
    [LogLevel.Off]: 'Off', [LogLevel.Trace]: 'Trace', [LogLevel.Debug]: 'Debug', [LogLevel.Info]: 'Info',
    [LogLevel.Warning]: 'Warning', [LogLevel.Error]: 'Error',
};

/** The log line saying which LSP trace applies and why (the e2e waits for it). */
export function describeTrace(trace: TraceSetting, setting: unknown, channelLevel: LogLevel): string {
    if (setting === 'messages' || setting === 'verbose') return `LSP trace: ${trace} (from sstar.trace.server)`;
    return `LSP trace: ${trace} (from the S* output's log level ${LEVEL_NAMES[channelLevel] ?? String(channelLevel)})`;
}

export type ChangeAction = 'restart' | 'trace' | 'none';

/**
 * What a configuration change asks of the client: server settings and the interpreter restart the
 * server (it reads settings at start); `sstar.trace.server` only changes the trace.
 */
export function changeAction(affects: (section: string) => boolean): ChangeAction {
    if (affects('sstar.interpreter')) return 'restart';
    for (const key of SERVER_SETTING_KEYS) {
        if (affects(`${SECTION}.${key}`)) return 'restart';
    }
    if (affects('sstar.trace.server') || affects('sstar.trace')) return 'trace';
    return 'none';
}

export function changeActionOf(event: ConfigurationChangeEvent): ChangeAction {
    return changeAction((section) => event.affectsConfiguration(section));
}

/**
 * The `workspace/configuration` middleware's answer: items of section `sstar` get the validated
 * server settings of their scope (no client-only keys); other sections keep VS Code's answer.
 */
export function answerConfiguration(params: { items: { section?: string; scopeUri?: string }[] }, defaults: unknown[]): unknown[] {
    return params.items.map((item, i) => {
        if (item.section !== SECTION) return defaults[i];
        const scope = item.scopeUri !== undefined ? Uri.parse(item.scopeUri) : undefined;
        return getServerSettings(scope).settings;
    });
}
