/** Mutation.updateItem: changes only an item that exists in the caller's partition. */
import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
    const { id, ...changes } = ctx.args.input;
    if (changes.price !== undefined && changes.price !== null && changes.price < 0) {
        util.error('price must not be negative', 'ValidationError');
    }
    const update = { updatedAt: ddb.operations.replace(util.time.nowISO8601()) };
    for (const [field, value] of Object.entries(changes)) {
        if (value !== undefined && value !== null) {
            update[field] = ddb.operations.replace(value);
        }
    }
    return ddb.update({
        key: { pk: `USER#${ctx.stash.owner}`, sk: `ITEM#${id}` },
        update,
        condition: { sk: { attributeExists: true } },
    });
}

export function response(ctx) {
    if (ctx.error) {
        util.error(ctx.error.message, ctx.error.type);
    }
    return ctx.result;
}
