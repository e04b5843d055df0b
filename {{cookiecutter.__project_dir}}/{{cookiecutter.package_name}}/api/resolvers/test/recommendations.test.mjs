import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as recommendations from '../recommendations.js';
import { ACCESS_TOKEN, context } from '../testing/context.mjs';
import { failure, resolveField } from '../testing/pipeline.mjs';

const recommend = ({ args = {}, answer, identity, headers } = {}) =>
    resolveField({ fn: recommendations, ctx: context({ args, identity, headers, env: { REST_API_STAGE: 'prod' } }), answer });
const OK = { statusCode: 200, body: JSON.stringify({ recommendations: [{ itemId: 'i-1', score: 0.9 }] }) };

describe('recommendations', () => {
    it("calls the REST API stage path and forwards the caller's own token", () => {
        const { request } = recommend({ args: { limit: 5 }, answer: OK });
        assert.deepEqual(request, {
            method: 'GET',
            resourcePath: '/prod/recommendations',
            params: {
                query: { limit: '5' },
                headers: {
                    accept: 'application/json',
                    'user-agent': recommendations.USER_AGENT,
                    'x-user-token': ACCESS_TOKEN,
                },
            },
        });
        assert.ok(recommendations.USER_AGENT.trim(), "AWS WAF's NoUserAgent rule blocks an empty User-Agent");
    });

    it('asks for 10 unless told, at least 1 and at most the maximum', () => {
        const limit = (args) => recommend({ args, answer: OK }).request.params.query.limit;
        assert.equal(limit({}), '10');
        assert.equal(limit({ limit: -3 }), '1');
        assert.equal(limit({ limit: 1000 }), `${recommendations.MAX_RESULTS}`);
    });

    it('refuses IAM callers, who have no user token to forward', () => {
        const iam = { cognitoIdentityId: 'us-east-1:abc', cognitoIdentityAuthProvider: 'x:CognitoSignIn:abc' };
        const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=ASIA/...' };
        const refusal = { message: /user pool sign-in/, type: 'Unauthorized' };
        assert.throws(() => recommend({ identity: iam, headers: signed }), refusal);
        assert.throws(() => recommend({ headers: {} }), refusal);
    });

    it('returns the recommendations of a 200 answer', () => {
        assert.deepEqual(recommend({ answer: OK }).result, [{ itemId: 'i-1', score: 0.9 }]);
    });

    it('turns any other status into a GraphQL error naming it', () => {
        assert.throws(() => recommend({ answer: { statusCode: 403, body: '{}' } }), {
            message: 'service tier answered 403',
            type: 'ServiceError',
        });
    });

    it("surfaces the HTTP data source's error as the field's error", () => {
        const error = { message: 'connect timed out', type: 'HTTP:Timeout' };
        assert.throws(() => recommend({ answer: failure(error.message, error.type) }), error);
    });
});
