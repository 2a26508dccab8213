import './vscode-stub';
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { candidateItems, differenceOf } from '../../commands';
import { parsePreview, previewMessage } from '../../preview';

describe('the early preview', () => {
    it('accepts only a well-formed sstar/preview payload', () => {
        assert.equal(parsePreview(null), undefined);
        assert.equal(parsePreview({ jobId: 'job-1', qualname: 'f' }), undefined); // no uri
        const preview = parsePreview({ jobId: 'job-1', uri: 'file:///w/a%20b.py', qualname: 'Box.area', candidateId: 'ab12', code: 'def area(self): ...', passed: 2, total: 2, extra: 1 });
        assert.deepEqual(preview, { jobId: 'job-1', uri: 'file:///w/a%20b.py', qualname: 'Box.area', candidateId: 'ab12', code: 'def area(self): ...', passed: 2, total: 2 });
        assert.equal(parsePreview({ jobId: 'j', uri: 'u', qualname: 'q', passed: 'x' })?.passed, 0);
    });

    it('says what passes, that selection goes on, and when the final result replaces it', () => {
        const text = previewMessage({ jobId: 'j', uri: 'u', qualname: 'merge', candidateId: 'c', code: '', passed: 3, total: 3 });
        assert.match(text, /^S\*: merge: a candidate passes 3\/3 examples while selection goes on/);
        assert.match(text, /only if you leave it as it is/);
    });
});

describe('candidates told apart', () => {
    it('shows the line the server says tells a candidate apart, with where it is', () => {
        assert.equal(differenceOf({ id: 'a', code: 'def f():\n    return 1', passed: 1, total: 1, difference: 'out.append(x + 1)', differenceLine: 3 }), 'line 3: out.append(x + 1)');
        assert.equal(differenceOf({ id: 'a', code: 'def f():\n    return 1', passed: 1, total: 1, difference: 'return 1', differenceLine: 1 }), 'return 1');
        // an older server: the body after the docstring
        assert.equal(differenceOf({ id: 'a', code: 'def f():\n    """Doc."""\n    return 1', passed: 1, total: 1 }), 'return 1');
        const [row] = candidateItems([{ id: 'b', code: 'x', passed: 2, total: 2, group: 1, chosen: true, difference: 'return y', differenceLine: 2 }]);
        assert.equal(row.detail, 'line 2: return y');
        assert.match(row.description ?? '', /group 1/);
    });
});
