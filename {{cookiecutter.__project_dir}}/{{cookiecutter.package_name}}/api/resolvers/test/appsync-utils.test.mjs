// The stand-ins in testing/ held to what AppSync documents for each utility the resolvers use:
// every row is an input and output as printed in the AppSync Developer Guide (APPSYNC_JS runtime).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { extensions, util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

import { context } from '../testing/context.mjs';
import { runPipeline } from '../testing/pipeline.mjs';

const GUIDE = 'https://docs.aws.amazon.com/appsync/latest/devguide';

// util.dynamodb.toDynamoDB, "DynamoDB helpers in util.dynamodb": the built-in module converts every
// key and item value this way.
const TO_DYNAMODB = [
    ['String example', 'foo', { S: 'foo' }],
    ['Number example', 12345, { N: 12345 }],
    ['Boolean example', true, { BOOL: true }],
    ['List example', ['foo', 123, { bar: 'baz' }], { L: [{ S: 'foo' }, { N: 123 }, { M: { bar: { S: 'baz' } } }] }],
    [
        'Map example',
        { foo: 'bar', baz: 1234, beep: ['boop'] },
        { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } },
    ],
];

describe(`util.dynamodb (${GUIDE}/dynamodb-helpers-in-util-dynamodb-js.html)`, () => {
    for (const [name, input, output] of TO_DYNAMODB) {
        it(`toDynamoDB ${name}, as a key value of ddb.get`, () => {
            assert.deepEqual(ddb.get({ key: { value: input } }).key.value, output);
        });
    }

    it('toMapValues example, as the item of ddb.put', () => {
        const item = { foo: 'bar', baz: 1234, beep: ['boop'] };
        const expected = { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } };
        assert.deepEqual(ddb.put({ key: { id: '1' }, item }).attributeValues, expected);
    });
});

// util.transform.toDynamoDBFilterExpression, "Transformation helpers in util.transform": the expression
// names each field #field and each value :field_operator; the built-in module's conditions and
// key conditions are written the same way.
describe(`condition expressions (${GUIDE}/transformation-helpers-in-utils-transform-js.html)`, () => {
    it('names fields #field and values :field_operator, as the documented filter example does', () => {
        const { condition } = ddb.remove({ key: { id: '1' }, condition: { title: { eq: 'Hello World' } } });
        assert.deepEqual(condition, {
            expression: '#title = :title_eq',
            expressionNames: { '#title': 'title' },
            expressionValues: { ':title_eq': { S: 'Hello World' } },
        });
    });

    it('joins the rules of several fields with AND, the documented default operator', () => {
        const { query } = ddb.query({ query: { pk: { eq: 'a' }, sk: { beginsWith: 'ITEM#' } } });
        assert.equal(query.expression, '#pk = :pk_eq AND begins_with(#sk, :sk_beginsWith)');
    });

    it('refuses an operator the stand-in does not model instead of guessing its expression', () => {
        assert.throws(() => ddb.query({ query: { pk: { between: [1, 2] } } }), /not modelled/);
    });
});

// util.transform.toSubscriptionFilter and the filterJsonObject of extensions.setSubscriptionFilter
// ("Extensions" and "Defining enhanced subscription filters").
describe(`subscription filters (${GUIDE}/extensions.html)`, () => {
    it('builds one filter group of the documented filters (fieldName, operator, value)', () => {
        const filter = util.transform.toSubscriptionFilter({ userId: { eq: 1 }, group: { in: ['Admin', 'Developer'] } });
        assert.deepEqual(filter, {
            filterGroup: [
                {
                    filters: [
                        { fieldName: 'userId', operator: 'eq', value: 1 },
                        { fieldName: 'group', operator: 'in', value: ['Admin', 'Developer'] },
                    ],
                },
            ],
        });
    });

    it('keeps every operator given for one field', () => {
        const { filterGroup } = util.transform.toSubscriptionFilter({ severity: { ge: 2, le: 4 } });
        assert.deepEqual(filterGroup[0].filters.map((f) => f.operator), ['ge', 'le']);
    });

    it('is honoured only in the response handler of a subscription resolver', () => {
        const setFilter = () => {
            extensions.setSubscriptionFilter({ filterGroup: [] });
            return null;
        };
        const resolver = { request: () => ({}), response: setFilter };
        const ctx = (parentTypeName) => context({ info: { parentTypeName, fieldName: 'f' } });
        extensions.filters.length = 0;
        runPipeline({ resolver, functions: [], ctx: ctx('Subscription') });
        assert.equal(extensions.filters.length, 1);
        assert.throws(() => runPipeline({ resolver, functions: [], ctx: ctx('Mutation') }), /AppSync ignores it/);
        assert.throws(() => runPipeline({ resolver: { ...resolver, request: setFilter }, functions: [], ctx: ctx('Subscription') }));
        assert.throws(() => extensions.setSubscriptionFilter({ filterGroup: [] }), /no resolver/);
    });
});

// "Built-in utilities" and "Time helpers in util.time".
describe(`util (${GUIDE}/resolver-util-reference-js.html)`, () => {
    it('autoId returns a 128-bit randomly generated UUID', () => {
        const ids = new Set([util.autoId(), util.autoId()]);
        assert.equal(ids.size, 2);
        for (const id of ids) {
            assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        }
    });

    it('time.nowISO8601 returns UTC in ISO8601 format, like 2018-02-06T19:01:35.749Z', () => {
        const now = util.time.nowISO8601();
        assert.match(now, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.ok(Math.abs(Date.parse(now) - Date.now()) < 60_000);
    });

    it('error throws a custom error with the message and error type given', () => {
        assert.throws(() => util.error('price must not be negative', 'ValidationError'), {
            message: 'price must not be negative',
            type: 'ValidationError',
        });
    });

    it('unauthorized throws Unauthorized for the field being resolved', () => {
        assert.throws(() => util.unauthorized(), { type: 'Unauthorized' });
    });
});
