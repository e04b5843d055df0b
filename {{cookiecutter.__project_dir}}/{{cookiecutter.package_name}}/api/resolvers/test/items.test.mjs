import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { extensions } from '@aws-appsync/utils';

import * as createItem from '../createItem.js';
import * as deleteItem from '../deleteItem.js';
import * as getItem from '../getItem.js';
import * as listItems from '../listItems.js';
import * as owner from '../owner.js';
import * as ownSubscription from '../ownSubscription.js';
import * as updateItem from '../updateItem.js';
import { context, OWNER } from '../testing/context.mjs';
import { runPipeline } from '../testing/pipeline.mjs';

const PARTITION = { S: `USER#${OWNER}` };

describe('owner pipeline', () => {
    it('takes the owner from a user pool token', () => {
        const ctx = context({ stash: {} });
        owner.request(ctx);
        assert.equal(ctx.stash.owner, OWNER);
    });

    it('takes the same owner from an IAM caller signed in through the identity pool', () => {
        const provider = `cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab,cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab:CognitoSignIn:${OWNER}`;
        const ctx = context({ stash: {}, identity: { cognitoIdentityId: 'us-east-1:abc', cognitoIdentityAuthProvider: provider } });
        owner.request(ctx);
        assert.equal(ctx.stash.owner, OWNER);
    });

    it('takes the owner without the quotes AppSync may leave around the provider', () => {
        const provider = `"cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab","cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab:CognitoSignIn:${OWNER}"`;
        assert.equal(owner.ownerOf({ cognitoIdentityAuthProvider: provider }), OWNER);
        assert.equal(owner.ownerOf({ cognitoIdentityAuthProvider: 'x:CognitoSignIn:""' }), null);
    });

    it('refuses a caller without a user identity', () => {
        assert.throws(() => owner.request(context({ stash: {}, identity: { accountId: '111111111111' } })), {
            type: 'Unauthorized',
        });
        assert.throws(() => owner.request(context({ stash: {}, identity: null })), { type: 'Unauthorized' });
    });

    it('returns what the last function returned', () => {
        assert.deepEqual(owner.response(context({ result: { id: '1' } })), { id: '1' });
    });
});

describe('DynamoDB resolvers stay inside the caller partition', () => {
    it('getItem reads the item under the owner key', () => {
        const request = getItem.request(context({ args: { id: 'i-1' } }));
        assert.deepEqual(request, { operation: 'GetItem', key: { pk: PARTITION, sk: { S: 'ITEM#i-1' } } });
    });

    it('listItems queries only the owner partition and caps the page size', () => {
        const request = listItems.request(context({ args: { limit: 1000, nextToken: 'tok' } }));
        assert.equal(request.operation, 'Query');
        assert.equal(request.limit, listItems.MAX_PAGE);
        assert.equal(request.nextToken, 'tok');
        assert.deepEqual(request.query.expressionValues[':pk_eq'], PARTITION);
        assert.deepEqual(request.query.expressionValues[':sk_beginsWith'], { S: 'ITEM#' });
        const page = listItems.response(context({ result: { items: [{ id: 'a' }], nextToken: 'n' } }));
        assert.deepEqual(page, { items: [{ id: 'a' }], nextToken: 'n' });
    });

    it('createItem writes a new item owned by the caller and never overwrites', () => {
        const ctx = context({ args: { input: { name: 'Lamp', price: 12.5, owner: 'someone-else' } } });
        const request = createItem.request(ctx);
        assert.equal(request.operation, 'PutItem');
        assert.deepEqual(request.key.pk, PARTITION);
        assert.equal(request.attributeValues.owner.S, OWNER);
        assert.equal(request.attributeValues.name.S, 'Lamp');
        assert.equal(request.key.sk.S, `ITEM#${request.attributeValues.id.S}`);
        assert.equal(request.condition.expression, 'attribute_not_exists(#pk)');
    });

    it('createItem rejects a negative price', () => {
        assert.throws(() => createItem.request(context({ args: { input: { name: 'x', price: -1 } } })), {
            type: 'ValidationError',
        });
    });

    it('updateItem changes only given fields of an existing item of the caller', () => {
        const request = updateItem.request(context({ args: { input: { id: 'i-1', price: 3, description: null } } }));
        assert.equal(request.operation, 'UpdateItem');
        assert.deepEqual(request.key, { pk: PARTITION, sk: { S: 'ITEM#i-1' } });
        assert.deepEqual(Object.values(request.update.expressionNames).sort(), ['price', 'updatedAt']);
        assert.equal(request.condition.expression, 'attribute_exists(#sk)');
    });

    it('deleteItem removes under the owner key and surfaces errors', () => {
        const request = deleteItem.request(context({ args: { id: 'i-1' } }));
        assert.deepEqual(request, { operation: 'DeleteItem', key: { pk: PARTITION, sk: { S: 'ITEM#i-1' } } });
        assert.throws(() => deleteItem.response(context({ error: { message: 'boom', type: 'DynamoDB:Error' } })), {
            type: 'DynamoDB:Error',
        });
    });
});

describe('subscriptions', () => {
    const OWN_FILTER = { filterGroup: [{ filters: [{ fieldName: 'owner', operator: 'eq', value: OWNER }] }] };

    for (const fieldName of ['onItemChanged', 'onOrderPlaced']) {
        it(`${fieldName}: the resolver's response handler filters events to the subscriber`, () => {
            extensions.filters.length = 0;
            const ctx = context({ stash: {}, info: { parentTypeName: 'Subscription', fieldName } });
            const result = runPipeline({ resolver: owner, functions: [ownSubscription], ctx });
            assert.equal(result, null);
            assert.deepEqual(extensions.filters, [OWN_FILTER]);
        });
    }

    it('sets no filter on queries and mutations', () => {
        extensions.filters.length = 0;
        const ctx = context({ stash: {}, info: { parentTypeName: 'Mutation', fieldName: 'createItem' } });
        runPipeline({ resolver: owner, functions: [ownSubscription], ctx, dataSource: () => ({ id: 'i-1' }) });
        assert.deepEqual(extensions.filters, []);
    });

    it('a filter set anywhere but the subscription resolver response fails, as AppSync would ignore it', () => {
        const filterInFunction = { request: () => ({ payload: null }), response: owner.response };
        const ctx = context({ stash: {}, info: { parentTypeName: 'Subscription', fieldName: 'onItemChanged' } });
        assert.throws(() => runPipeline({ resolver: owner, functions: [filterInFunction], ctx }), /AppSync ignores it/);
    });
});
