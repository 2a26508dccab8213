/**
 * Creates and starts the LanguageClient that runs `<python> -m lsp_server` over stdio, with the
 * middleware that answers `workspace/configuration` for section `sstar` from the typed settings
 * and renders progress as cancellable notifications.
 */
import {
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    State,
    TransportKind,
    WorkDoneProgressCancelNotification,
} from 'vscode-languageclient/node';
import { RedactingChannel } from './logging';
import { NotificationProgress } from './progress';
import { SECTION, TraceSetting, answerConfiguration } from './settings';
import { STATUS_NOTIFICATION } from './status';
import { PREVIEW_NOTIFICATION, offerPreview, parsePreview } from './preview';
import { SERVER_MODULE, serverEnv } from './python';

/** The client id is the settings section, so the library itself follows `sstar.trace.server`. */
export const CLIENT_ID = SECTION;
export const CLIENT_NAME = 'S*';
/** Logged once the server answered `initialize` (the e2e waits for it after a restart). */
export const RUNNING_LINE = 'the server is running';

export interface StartOptions {
    python: string;
    cwd: string | undefined;
    initializationOptions: Record<string, unknown>;
    channel: RedactingChannel;
    onStatus(params: unknown): void;
    onState(state: 'starting' | 'running' | 'stopped'): void;
}

export interface RunningServer {
    client: LanguageClient;
    progress: NotificationProgress;
    /** The LSP trace last applied (see extension.ts applyTrace). */
    trace?: TraceSetting;
}

export function clientOptions(options: StartOptions, progress: NotificationProgress): LanguageClientOptions {
    return {
        documentSelector: [
            { scheme: 'file', language: 'python' },
            { scheme: 'untitled', language: 'python' },
            { scheme: 'vscode-notebook-cell', language: 'python' }, // Jupyter cells, each a document
        ],
        outputChannel: options.channel,
        traceOutputChannel: options.channel,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        initializationOptions: options.initializationOptions,
        synchronize: { configurationSection: SECTION },
        middleware: {
            workspace: {
                configuration: async (params, token, next) => {
                    const defaults = await next(params, token);
                    if (!Array.isArray(defaults)) return defaults;
                    return answerConfiguration(params, defaults);
                },
            },
            handleWorkDoneProgress: (token, params, next) => progress.handle(token, params, () => next(token, params)),
        },
    };
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
    const serverOptions: ServerOptions = {
        command: options.python,
        args: ['-m', SERVER_MODULE],
        transport: TransportKind.stdio,
        options: { cwd: options.cwd, env: serverEnv() },
    };
    // The callback runs only after `client` exists (a user clicks Cancel on a shown progress).
    const progress = new NotificationProgress((token) => {
        void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
    });
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions(options, progress));
    client.onDidChangeState((e) => {
        if (e.newState === State.Running) options.onState('running');
        else if (e.newState === State.Starting) options.onState('starting');
        else {
            progress.clear();
            options.onState('stopped');
        }
    });
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => options.onStatus(params));
    client.onNotification(PREVIEW_NOTIFICATION, (params: unknown) => {
        const preview = parsePreview(params);
        if (preview !== undefined) void offerPreview(preview, () => client);
    });
    options.channel.info(`starting ${options.python} -m ${SERVER_MODULE} (cwd ${options.cwd ?? process.cwd()})`);
    // The channel redacts the API key (see logging.ts); Debug level shows what the server gets.
    options.channel.debug(`initializationOptions: ${JSON.stringify(options.initializationOptions)}`);
    await client.start();
    options.channel.info(RUNNING_LINE);
    return { client, progress };
}
