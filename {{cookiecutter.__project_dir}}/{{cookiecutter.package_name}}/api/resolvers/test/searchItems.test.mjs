import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as searchItems from '../searchItems.js';
import { context, OWNER } from '../testing/context.mjs';

describe('searchItems', () => {
    it('searches the items index, filtered to the caller, with a bounded size', () => {
        const request = searchItems.request(context({ args: { text: 'lamp', limit: 500 } }));
        assert.equal(request.operation, 'GET');
        assert.equal(request.path, '/items/_search');
        const body = request.params.body;
        assert.equal(body.size, searchItems.MAX_RESULTS);
        assert.deepEqual(body.query.bool.filter, [{ term: { owner: OWNER } }]);
        assert.equal(body.query.bool.must[0].multi_match.query, 'lamp');
    });

    it('returns the documents and the total', () => {
        const result = { hits: { total: { value: 1 }, hits: [{ _id: 'x', _source: { id: 'i-1', name: 'Lamp' } }] } };
        assert.deepEqual(searchItems.response(context({ result })), { items: [{ id: 'i-1', name: 'Lamp' }], total: 1 });
    });
});
