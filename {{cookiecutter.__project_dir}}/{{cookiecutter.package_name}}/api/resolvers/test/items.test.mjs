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
import { failure, resolveField, runPipeline } from '../testing/pipeline.mjs';

const PARTITION = { S: `USER#${OWNER}` };
const DYNAMODB_ERROR = { message: 'The conditional request failed', type: 'DynamoDB:ConditionalCheckFailedException' };
const IAM_PROVIDER = `cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab,cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab:CognitoSignIn:${OWNER}`;

const field = (fn, { args = {}, answer, identity, typeName = 'Query' } = {}) =>
    resolveField({ fn, ctx: context({ args, identity, info: { parentTypeName: typeName } }), answer });

describe('owner pipeline', () => {
    it('takes the owner from a user pool token', () => {
        const ctx = context();
        owner.request(ctx);
        assert.deepEqual(ctx.stash, { owner: OWNER });
    });

    it('takes the same owner from an IAM caller signed in through the identity pool', () => {
        const ctx = context({ identity: { cognitoIdentityId: 'us-east-1:abc', cognitoIdentityAuthProvider: IAM_PROVIDER } });
        owner.request(ctx);
        assert.equal(ctx.stash.owner, OWNER);
    });

    it('takes the owner without the quotes or blanks AppSync may leave around the provider', () => {
        const provider = `"cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab","cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab:CognitoSignIn:${OWNER}" `;
        assert.equal(owner.ownerOf({ cognitoIdentityAuthProvider: provider }), OWNER);
        assert.equal(owner.ownerOf({ cognitoIdentityAuthProvider: 'x:CognitoSignIn:""' }), null);
    });

    it('finds no owner in a provider without the sign-in marker, even one that ends like a sub', () => {
        assert.equal(owner.ownerOf({ cognitoIdentityAuthProvider: OWNER }), null);
        assert.equal(owner.ownerOf({ cognitoIdentityAuthProvider: `graph.facebook.com:${OWNER}` }), null);
        assert.equal(owner.ownerOf({ cognitoIdentityId: 'us-east-1:abc' }), null);
    });

    it('takes a provider that starts with the marker', () => {
        assert.equal(owner.ownerOf({ cognitoIdentityAuthProvider: `:CognitoSignIn:${OWNER}` }), OWNER);
    });

    it('refuses a caller without a user identity before any data source runs', () => {
        for (const identity of [{ accountId: '111111111111' }, null]) {
            let reached = false;
            const answer = () => {
                reached = true;
            };
            assert.throws(() => field(getItem, { args: { id: 'i-1' }, identity, answer }), { type: 'Unauthorized' });
            assert.equal(reached, false);
        }
    });

    it('returns what the last function returned', () => {
        assert.deepEqual(owner.response(context({ result: { id: '1' } })), { id: '1' });
    });
});

describe('DynamoDB resolvers stay inside the caller partition', () => {
    it('getItem reads the item under the owner key', () => {
        const { request, result } = field(getItem, { args: { id: 'i-1' }, answer: { id: 'i-1', name: 'Lamp' } });
        assert.deepEqual(request, { operation: 'GetItem', key: { pk: PARTITION, sk: { S: 'ITEM#i-1' } } });
        assert.deepEqual(result, { id: 'i-1', name: 'Lamp' });
    });

    it('getItem of an identity pool caller reads the same partition', () => {
        const identity = { cognitoIdentityId: 'us-east-1:abc', cognitoIdentityAuthProvider: IAM_PROVIDER };
        assert.deepEqual(field(getItem, { args: { id: 'i-1' }, identity }).request.key.pk, PARTITION);
    });

    it('listItems queries only the owner partition and caps the page size', () => {
        const answer = { items: [{ id: 'a' }], nextToken: 'n', scannedCount: 1 };
        const { request, result } = field(listItems, { args: { limit: 1000, nextToken: 'tok' }, answer });
        assert.deepEqual(request, {
            operation: 'Query',
            query: {
                expression: '#pk = :pk_eq AND begins_with(#sk, :sk_beginsWith)',
                expressionNames: { '#pk': 'pk', '#sk': 'sk' },
                expressionValues: { ':pk_eq': PARTITION, ':sk_beginsWith': { S: 'ITEM#' } },
            },
            limit: listItems.MAX_PAGE,
            nextToken: 'tok',
        });
        assert.deepEqual(result, { items: [{ id: 'a' }], nextToken: 'n' });
    });

    it('listItems asks for 20 items unless told, and for exactly the page size up to the cap', () => {
        assert.equal(field(listItems, { answer: { items: [] } }).request.limit, 20);
        assert.equal(field(listItems, { args: { limit: 7 }, answer: { items: [] } }).request.limit, 7);
        assert.equal(field(listItems, { args: { limit: 100 }, answer: { items: [] } }).request.limit, 100);
    });

    it('createItem writes a new item owned by the caller and never overwrites', () => {
        const input = { name: 'Lamp', description: 'Warm', price: 12.5, owner: 'someone-else' };
        const { request } = field(createItem, { typeName: 'Mutation', args: { input }, answer: (r) => r });
        const id = request.attributeValues.id.S;
        const now = request.attributeValues.createdAt.S;
        assert.match(now, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.deepEqual(request, {
            operation: 'PutItem',
            key: { pk: PARTITION, sk: { S: `ITEM#${id}` } },
            attributeValues: {
                id: { S: id },
                owner: { S: OWNER },
                name: { S: 'Lamp' },
                description: { S: 'Warm' },
                price: { N: 12.5 },
                createdAt: { S: now },
                updatedAt: { S: now },
            },
            condition: { expression: 'attribute_not_exists(#pk)', expressionNames: { '#pk': 'pk' } },
        });
    });

    it('createItem accepts a free item and rejects a negative price before writing', () => {
        const free = field(createItem, { typeName: 'Mutation', args: { input: { name: 'x', price: 0 } } });
        assert.deepEqual(free.request.attributeValues.price, { N: 0 });
        assert.throws(() => field(createItem, { typeName: 'Mutation', args: { input: { name: 'x', price: -1 } } }), {
            message: 'price must not be negative',
            type: 'ValidationError',
        });
    });

    it('updateItem changes only given fields of an existing item of the caller', () => {
        const input = { id: 'i-1', price: 3, name: 'Desk', description: null, tags: undefined };
        const { request } = field(updateItem, { typeName: 'Mutation', args: { input } });
        assert.equal(request.operation, 'UpdateItem');
        assert.deepEqual(request.key, { pk: PARTITION, sk: { S: 'ITEM#i-1' } });
        assert.equal(request.update.expression, 'SET #updatedAt = :updatedAt, #price = :price, #name = :name');
        assert.deepEqual(request.update.expressionValues[':price'], { N: 3 });
        assert.deepEqual(request.condition, { expression: 'attribute_exists(#sk)', expressionNames: { '#sk': 'sk' } });
    });

    it('updateItem accepts a price of zero or none and rejects a negative one', () => {
        for (const price of [0, null, undefined]) {
            field(updateItem, { typeName: 'Mutation', args: { input: { id: 'i-1', price } } });
        }
        assert.throws(() => field(updateItem, { typeName: 'Mutation', args: { input: { id: 'i-1', price: -0.5 } } }), {
            message: 'price must not be negative',
            type: 'ValidationError',
        });
    });

    it('deleteItem removes under the owner key', () => {
        const { request, result } = field(deleteItem, { typeName: 'Mutation', args: { id: 'i-1' }, answer: { id: 'i-1' } });
        assert.deepEqual(request, { operation: 'DeleteItem', key: { pk: PARTITION, sk: { S: 'ITEM#i-1' } } });
        assert.deepEqual(result, { id: 'i-1' });
    });

    const ERROR_CASES = [
        ['getItem', getItem, 'Query', { id: 'i-1' }],
        ['listItems', listItems, 'Query', {}],
        ['createItem', createItem, 'Mutation', { input: { name: 'Lamp', price: 1 } }],
        ['updateItem', updateItem, 'Mutation', { input: { id: 'i-1', price: 1 } }],
        ['deleteItem', deleteItem, 'Mutation', { id: 'i-1' }],
    ];
    for (const [name, fn, typeName, args] of ERROR_CASES) {
        it(`${name} surfaces a DynamoDB error as the field's error`, () => {
            const answer = failure(DYNAMODB_ERROR.message, DYNAMODB_ERROR.type);
            assert.throws(() => field(fn, { typeName, args, answer }), DYNAMODB_ERROR);
        });
    }
});

describe('subscriptions', () => {
    const OWN_FILTER = { filterGroup: [{ filters: [{ fieldName: 'owner', operator: 'eq', value: OWNER }] }] };

    for (const fieldName of ['onItemChanged', 'onOrderPlaced']) {
        it(`${fieldName}: the resolver's response handler filters events to the subscriber`, () => {
            extensions.filters.length = 0;
            const ctx = context({ info: { parentTypeName: 'Subscription', fieldName } });
            const result = runPipeline({ resolver: owner, functions: [ownSubscription], ctx });
            assert.equal(result, null);
            assert.deepEqual(extensions.filters, [OWN_FILTER]);
        });
    }

    it('sets no filter on queries and mutations', () => {
        extensions.filters.length = 0;
        const ctx = context({ info: { parentTypeName: 'Mutation', fieldName: 'createItem' } });
        const result = runPipeline({ resolver: owner, functions: [ownSubscription], ctx, dataSource: () => ({ id: 'i-1' }) });
        assert.deepEqual(result, { id: 'i-1' });
        assert.deepEqual(extensions.filters, []);
    });

    it('a filter set anywhere but the subscription resolver response fails, as AppSync would ignore it', () => {
        const filterInFunction = { request: () => ({ payload: null }), response: owner.response };
        const ctx = context({ info: { parentTypeName: 'Subscription', fieldName: 'onItemChanged' } });
        assert.throws(() => runPipeline({ resolver: owner, functions: [filterInFunction], ctx }), /AppSync ignores it/);
    });
});
