/**
 * Page helpers for driving VS Code's workbench (code-server) with Playwright: open a file, go to
 * a line, run a palette command, read the editor's text. Waits are on DOM conditions with deadlines.
 */
import { Locator, Page } from 'playwright-core';

export class Workbench {
    constructor(readonly page: Page) {}

    async ready(timeoutMs: number): Promise<void> {
        await this.page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
        await this.page.locator('.statusbar').waitFor({ timeout: timeoutMs });
    }

    private async palette(prefix: string, text: string): Promise<Locator> {
        await this.page.keyboard.press('Escape');
        await this.page.keyboard.press(prefix === '>' ? 'F1' : 'Control+P');
        const input = this.page.locator('.quick-input-widget input.input');
        await input.waitFor({ timeout: 10000 });
        await input.fill(`${prefix}${text}`);
        return this.page.locator('.quick-input-widget .monaco-list-row');
    }

    /** Picks the quick-input row containing `text` with Enter, once it is the focused row. */
    private async pickRow(text: string): Promise<void> {
        const focused = this.page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: text });
        await focused.first().waitFor({ timeout: 15000 });
        await this.page.keyboard.press('Enter');
    }

    /** Opens a workspace file by name through Quick Open and waits for its editor tab. */
    async openFile(name: string): Promise<void> {
        await this.palette('', name);
        await this.pickRow(name);
        await this.page.locator(`.tab.active[aria-label*="${name}"], .tab.active:has-text("${name}")`).first().waitFor({ timeout: 15000 });
        await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 15000 });
    }

    /** Runs a command palette command by its exact title, e.g. "S*: Show Output". */
    async command(title: string): Promise<void> {
        await this.palette('>', title);
        await this.pickRow(title);
    }

    /** Moves the cursor to a 1-based line with Go to Line (Ctrl+G). */
    async gotoLine(line: number, column = 1): Promise<void> {
        await this.page.keyboard.press('Escape');
        await this.page.locator('.editor-instance .monaco-editor textarea').first().focus();
        await this.page.keyboard.press('Control+G');
        const input = this.page.locator('.quick-input-widget input.input');
        await input.waitFor({ timeout: 10000 });
        await input.fill(`:${line}:${column}`);
        await this.page.keyboard.press('Enter');
        await input.waitFor({ state: 'hidden', timeout: 10000 });
    }

    /** The visible text of the active editor (Monaco renders spaces as NBSP). */
    async editorText(): Promise<string> {
        const lines = this.page.locator('.editor-instance .monaco-editor .view-lines').first();
        const text = await lines.innerText();
        return text.replace(/\u00a0/g, ' ');
    }

    /**
     * Opens the quick-fix / light-bulb menu (Ctrl+.) until it offers `title` (the server may still be
     * starting), then picks it. Throws when the deadline passes.
     */
    async pickCodeAction(title: string, timeoutMs: number): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        const option = this.page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
        while (Date.now() < deadline) {
            await this.page.keyboard.press('Escape');
            await this.page.locator('.editor-instance .monaco-editor textarea').first().focus();
            await this.page.keyboard.press('Control+.');
            try {
                await option.waitFor({ timeout: 3000 });
            } catch {
                continue; // "No code actions available" (server still starting): ask again
            }
            // The menu's rows sit under a context-view blocker that eats clicks: use the keyboard.
            for (let i = 0; i < 20; i++) {
                if (((await option.getAttribute('class')) ?? '').split(/\s+/).includes('focused')) {
                    await this.page.keyboard.press('Enter');
                    await option.waitFor({ state: 'hidden', timeout: 10000 });
                    return;
                }
                await this.page.keyboard.press('ArrowDown');
            }
        }
        throw new Error(`no code action "${title}" within ${timeoutMs} ms`);
    }

    /** Waits until a notification is fully faded in (for screenshots that show it). */
    async settled(toast: Locator): Promise<void> {
        const handle = await toast.elementHandle({ timeout: 10000 });
        // A string, because this file is compiled without the DOM library.
        await this.page.waitForFunction('(el) => el !== null && getComputedStyle(el).opacity === "1"', handle, { timeout: 10000 });
    }

    notification(text: string): Locator {
        return this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    }

    statusItem(): Locator {
        return this.page.locator('.statusbar-item', { hasText: 'S*' }).first();
    }

    async screenshot(file: string): Promise<void> {
        await this.page.screenshot({ path: file });
    }
}
