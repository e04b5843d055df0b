/** Query.getItem: one item, looked up under the caller's partition only (null when absent). */
import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
    return ddb.get({ key: { pk: `USER#${ctx.stash.owner}`, sk: `ITEM#${ctx.args.id}` } });
}

export function response(ctx) {
    if (ctx.error) {
        util.error(ctx.error.message, ctx.error.type);
    }
    return ctx.result;
}
