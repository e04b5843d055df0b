import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as searchItems from '../searchItems.js';
import { context, OWNER } from '../testing/context.mjs';
import { failure, resolveField } from '../testing/pipeline.mjs';

const search = (args, answer) => resolveField({ fn: searchItems, ctx: context({ args }), answer });
const HITS = { hits: { total: { value: 1 }, hits: [{ _id: 'x', _source: { id: 'i-1', name: 'Lamp' } }] } };

describe('searchItems', () => {
    it('searches the items index, filtered to the caller, with a bounded size', () => {
        const { request } = search({ text: 'lamp', limit: 500 }, HITS);
        assert.deepEqual(request, {
            operation: 'GET',
            path: '/items/_search',
            params: {
                body: {
                    size: searchItems.MAX_RESULTS,
                    query: {
                        bool: {
                            must: [{ multi_match: { query: 'lamp', fields: ['name^2', 'description'] } }],
                            filter: [{ term: { owner: OWNER } }],
                        },
                    },
                },
            },
        });
    });

    it('asks for 10 results unless told', () => {
        assert.equal(search({ text: 'lamp' }, HITS).request.params.body.size, 10);
        assert.equal(search({ text: 'lamp', limit: 3 }, HITS).request.params.body.size, 3);
    });

    it('returns the documents and the total', () => {
        assert.deepEqual(search({ text: 'lamp' }, HITS).result, { items: [{ id: 'i-1', name: 'Lamp' }], total: 1 });
    });

    it("surfaces the domain's error as the field's error", () => {
        const error = { message: 'index_not_found_exception', type: 'OpenSearch:404' };
        assert.throws(() => search({ text: 'lamp' }, failure(error.message, error.type)), error);
    });
});
