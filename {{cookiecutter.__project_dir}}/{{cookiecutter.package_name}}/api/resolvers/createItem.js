/** Mutation.createItem: a new item in the caller's partition, never overwriting one. */
import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
    const { name, description, price } = ctx.args.input;
    if (price < 0) {
        util.error('price must not be negative', 'ValidationError');
    }
    const id = util.autoId();
    const now = util.time.nowISO8601();
    return ddb.put({
        key: { pk: `USER#${ctx.stash.owner}`, sk: `ITEM#${id}` },
        item: { id, owner: ctx.stash.owner, name, description, price, createdAt: now, updatedAt: now },
        condition: { pk: { attributeExists: false } },
    });
}

export function response(ctx) {
    if (ctx.error) {
        util.error(ctx.error.message, ctx.error.type);
    }
    return ctx.result;
}
