/** Query.getItem: one item, looked up under the caller's partition only. */
import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
    return ddb.get({ key: { pk: `USER#${ctx.stash.owner}`, sk: `ITEM#${ctx.args.id}` } });
}

export function response(ctx) {
    return ctx.result;
}
