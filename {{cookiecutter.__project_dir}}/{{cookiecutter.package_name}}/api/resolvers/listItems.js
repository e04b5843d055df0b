/** Query.listItems: a page of the caller's items (the key condition pins the owner). */
import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

export const MAX_PAGE = 100;

export function request(ctx) {
    const limit = Math.min(ctx.args.limit || 20, MAX_PAGE);
    return ddb.query({
        query: { pk: { eq: `USER#${ctx.stash.owner}` }, sk: { beginsWith: 'ITEM#' } },
        limit,
        nextToken: ctx.args.nextToken,
    });
}

export function response(ctx) {
    if (ctx.error) {
        util.error(ctx.error.message, ctx.error.type);
    }
    return { items: ctx.result.items, nextToken: ctx.result.nextToken };
}
