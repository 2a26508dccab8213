/**
 * Entry point: wires the log channel, status bar, commands and the server's lifecycle
 * (start, restart on setting / API key / interpreter change, stop). Feature logic lives in the server.
 */
import { Disposable, ExtensionContext } from 'vscode';
import { LanguageClient, SetTraceNotification, Trace } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { RedactingChannel, registerLogChannel } from './logging';
import { activeEnvironmentPath, checkImport, onActiveEnvironmentChanged, resolveInterpreter, InterpreterSource } from './python';
import { RunningServer, startServer } from './server';
import { SECTION, changeActionOf, describeTrace, effectiveTrace, getInterpreterSetting, getServerSettings, initializationOptions } from './settings';
import { StatusBar } from './status';
import {
    executeCommand,
    getConfiguration,
    getWorkspaceFolders,
    onDidChangeConfiguration,
    showErrorMessage,
    showWarningMessage,
} from './vscodeapi';

export const API_KEY_SECRET = 'sstar.apiKey';

class ServerController implements Disposable {
    private running: RunningServer | undefined;
    private queue: Promise<void> = Promise.resolve();
    private disposed = false;
    source: InterpreterSource | undefined;

    constructor(
        private readonly context: ExtensionContext,
        private readonly channel: RedactingChannel,
        private readonly status: StatusBar,
    ) {}

    client(): LanguageClient | undefined { return this.running?.client; }

    /** Restarts are queued so two quick setting changes never run two servers. */
    restart(reason: string): Promise<void> {
        this.queue = this.queue.then(() => this.doRestart(reason)).catch((error: unknown) => {
            this.channel.error(`restart failed: ${error instanceof Error ? error.message : String(error)}`);
            this.status.setState('failed');
        });
        return this.queue;
    }

    /**
     * Traces the LSP messages as `sstar.trace.server`, or the channel's log level when that is `off`,
     * and tells the server too (`$/setTrace`; the library's own `setTrace` does not).
     */
    applyTrace(): void {
        const running = this.running;
        if (running === undefined || !running.client.isRunning()) return;
        const setting = getConfiguration(SECTION).get<unknown>('trace.server');
        const trace = effectiveTrace(setting, this.channel.logLevel);
        if (trace !== running.trace) {
            running.trace = trace;
            this.channel.info(describeTrace(trace, setting, this.channel.logLevel));
        }
        void running.client.setTrace(Trace.fromString(trace));
        running.client.sendNotification(SetTraceNotification.type, { value: trace })
            .catch((error: unknown) => this.channel.warn(`$/setTrace: ${error instanceof Error ? error.message : String(error)}`));
    }

    private cwd(): string | undefined {
        return getWorkspaceFolders()[0]?.uri.fsPath;
    }

    private async stopClient(): Promise<void> {
        const running = this.running;
        this.running = undefined;
        if (running === undefined) return;
        running.progress.clear();
        try {
            await running.client.stop(5000);
        } catch (error) {
            this.channel.warn(`stopping the server: ${error instanceof Error ? error.message : String(error)}`);
        }
        try { await running.client.dispose(); } catch { /* already stopped */ }
    }

    private async doRestart(reason: string): Promise<void> {
        if (this.disposed) return;
        this.channel.info(`(re)starting the server: ${reason}`);
        await this.stopClient();
        this.status.setState('starting');
        const cwd = this.cwd();
        const resolution = await resolveInterpreter({
            setting: getInterpreterSetting(),
            workspaceFolder: cwd,
            activeEnvironment: () => activeEnvironmentPath(getWorkspaceFolders()[0]?.uri),
            canImportServer: (command) => checkImport(command, cwd),
        });
        if (!resolution.ok) {
            this.status.setState('failed');
            this.channel.error(resolution.message);
            void showErrorMessage(resolution.message, 'Open Settings', 'Show Output').then((choice) => {
                if (choice === 'Open Settings') void executeCommand('workbench.action.openSettings', 'sstar.interpreter');
                if (choice === 'Show Output') this.channel.show();
            });
            return;
        }
        this.source = resolution.interpreter.source;
        const { settings, problems } = getServerSettings();
        if (problems.length > 0) {
            problems.forEach((p) => this.channel.warn(p));
            void showWarningMessage(`S*: invalid settings replaced by defaults: ${problems.join('; ')}`);
        }
        const apiKey = await this.context.secrets.get(API_KEY_SECRET);
        this.channel.setSecrets([apiKey]);
        try {
            this.running = await startServer({
                python: resolution.interpreter.command,
                cwd,
                initializationOptions: initializationOptions(settings, apiKey),
                channel: this.channel,
                onStatus: (params) => this.status.update(params),
                onState: (state) => this.status.setState(state),
            });
        } catch (error) {
            this.status.setState('failed');
            this.channel.error(`the server did not start: ${error instanceof Error ? error.message : String(error)}`);
            void showErrorMessage('S*: the language server did not start. See "S*: Show Output" for its error.', 'Show Output')
                .then((choice) => { if (choice === 'Show Output') this.channel.show(); });
            return;
        }
        this.applyTrace();
    }

    async stop(): Promise<void> {
        this.disposed = true;
        await this.queue.catch(() => undefined);
        await this.stopClient();
    }

    dispose(): void { void this.stop(); }
}

let controller: ServerController | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
    const channel = registerLogChannel(context.subscriptions);
    const status = new StatusBar();
    const ctl = new ServerController(context, channel, status);
    controller = ctl;
    context.subscriptions.push(status, ctl);
    context.subscriptions.push(...registerCommands({
        client: () => ctl.client(),
        restart: () => ctl.restart('"S*: Restart Server"'),
        showOutput: () => channel.show(),
        setApiKey: (key) => Promise.resolve(context.secrets.store(API_KEY_SECRET, key)),
        clearApiKey: () => Promise.resolve(context.secrets.delete(API_KEY_SECRET)),
    }));
    context.subscriptions.push(onDidChangeConfiguration((event) => {
        const action = changeActionOf(event);
        if (action === 'restart') void ctl.restart('settings changed');
        // The library re-reads `sstar.trace.server` in its own listener, which runs after this
        // one; apply ours (which also honours the channel's log level) once it has.
        if (action !== 'none') setImmediate(() => ctl.applyTrace());
    }));
    context.subscriptions.push(context.secrets.onDidChange((event) => {
        if (event.key === API_KEY_SECRET) void ctl.restart('API key changed');
    }));
    context.subscriptions.push(channel.onDidChangeLogLevel(() => ctl.applyTrace()));
    const envWatch = await onActiveEnvironmentChanged(() => {
        if (ctl.source === 'python-extension' || ctl.source === 'default') void ctl.restart('Python environment changed');
    });
    if (envWatch !== undefined) context.subscriptions.push(envWatch);
    await ctl.restart('activation');
}

export async function deactivate(): Promise<void> {
    await controller?.stop();
    controller = undefined;
}
