/** Mutation.deleteItem: removes an item from the caller's partition; null when there was none. */
import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
    return ddb.remove({ key: { pk: `USER#${ctx.stash.owner}`, sk: `ITEM#${ctx.args.id}` } });
}

export function response(ctx) {
    if (ctx.error) {
        util.error(ctx.error.message, ctx.error.type);
    }
    return ctx.result;
}
