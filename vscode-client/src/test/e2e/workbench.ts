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

    /** In the open quick input: types `filter`, then picks the focused row once it contains `text`. */
    async choose(filter: string, text: string): Promise<void> {
        const input = this.page.locator('.quick-input-widget input.input');
        await input.waitFor({ timeout: 10000 });
        await input.fill(filter);
        await this.pickRow(text);
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
     * Opens the code action menu at the cursor until it offers `title` (the server may still be
     * starting) and picks it. The menu is opened by clicking the editor's light bulb when it shows,
     * else with Quick Fix (Ctrl+.). Returns how it was opened. Throws when the deadline passes.
     */
    async pickCodeAction(title: string, timeoutMs: number): Promise<'light bulb' | 'Ctrl+.'> {
        const deadline = Date.now() + timeoutMs;
        const option = this.page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
        const bulb = this.page.locator('.editor-instance .monaco-editor .lightBulbWidget').first();
        while (Date.now() < deadline) {
            await this.page.keyboard.press('Escape');
            await this.page.locator('.editor-instance .monaco-editor textarea').first().focus();
            let how: 'light bulb' | 'Ctrl+.' = 'light bulb';
            try {
                // The bulb appears once the server answered textDocument/codeAction for the cursor.
                await bulb.waitFor({ state: 'visible', timeout: 3000 });
                await bulb.click();
            } catch {
                how = 'Ctrl+.';
                await this.page.keyboard.press('Control+.');
            }
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
                    return how;
                }
                await this.page.keyboard.press('ArrowDown');
            }
        }
        throw new Error(`no code action "${title}" within ${timeoutMs} ms`);
    }

    /** Waits until the active editor's visible text contains `needle`. */
    async waitForEditorText(needle: string, timeoutMs: number): Promise<void> {
        await this.page.waitForFunction(([sel, want]) => {
            // Runs in the page; written without DOM types because this file compiles without them.
            const el = (globalThis as unknown as { document: { querySelector(s: string): { innerText: string } | null } })
                .document.querySelector(sel);
            return el !== null && el.innerText.replace(/\u00a0/g, ' ').includes(want);
        }, ['.editor-instance .monaco-editor .view-lines', needle] as const, { timeout: timeoutMs, polling: 100 });
    }

    /**
     * Starts recording the text of every notification toast that appears (a MutationObserver in
     * the page), so a test can tell a progress notification was shown even when it was short-lived.
     */
    async recordNotifications(): Promise<void> {
        await this.page.evaluate(`(() => {
            window.__sstarToasts = [];
            const seen = () => document.querySelectorAll('.notifications-toasts .notification-toast')
                .forEach((t) => { const s = t.textContent || ''; if (!window.__sstarToasts.includes(s)) window.__sstarToasts.push(s); });
            if (window.__sstarObserver) window.__sstarObserver.disconnect();
            window.__sstarObserver = new MutationObserver(seen);
            window.__sstarObserver.observe(document.body, { childList: true, subtree: true, characterData: true });
            seen();
        })()`);
    }

    /** Texts of the toasts seen since `recordNotifications()`. */
    async recordedNotifications(): Promise<string[]> {
        const seen: unknown = await this.page.evaluate('window.__sstarToasts || []');
        return Array.isArray(seen) ? seen.map(String) : [];
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

    /** The S* status bar item while its text (after "S* ") matches `text` (the backend or a job). */
    statusItem(text: string | RegExp): Locator {
        const rest = typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source.replace(/^\^/, '');
        return this.page.locator('.statusbar-item', { hasText: new RegExp(`S\\* ${rest}`) }).first();
    }

    async screenshot(file: string): Promise<void> {
        // Finished transitions: a toast that is fading in is captured fully drawn.
        await this.page.screenshot({ path: file, animations: 'disabled' });
    }
}
