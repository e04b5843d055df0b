/** Query.searchItems: full-text search in OpenSearch, filtered to the caller's own items. */
import { util } from '@aws-appsync/utils';

export const INDEX = 'items';
export const MAX_RESULTS = 50;

export function request(ctx) {
    const size = Math.min(ctx.args.limit || 10, MAX_RESULTS);
    return {
        operation: 'GET',
        path: `/${INDEX}/_search`,
        params: {
            body: {
                size,
                query: {
                    bool: {
                        must: [{ multi_match: { query: ctx.args.text, fields: ['name^2', 'description'] } }],
                        filter: [{ term: { owner: ctx.stash.owner } }],
                    },
                },
            },
        },
    };
}

export function response(ctx) {
    if (ctx.error) {
        util.error(ctx.error.message, ctx.error.type);
    }
    const hits = ctx.result.hits;
    return { items: hits.hits.map((hit) => hit._source), total: hits.total.value };
}
