import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as recommendations from '../recommendations.js';
import { ACCESS_TOKEN, context } from '../testing/context.mjs';

describe('recommendations', () => {
    it("calls the REST API stage path and forwards the caller's own token", () => {
        const request = recommendations.request(context({ args: { limit: 5 }, env: { REST_API_STAGE: 'prod' } }));
        assert.equal(request.method, 'GET');
        assert.equal(request.resourcePath, '/prod/recommendations');
        assert.deepEqual(request.params.query, { limit: '5' });
        assert.deepEqual(request.params.headers, {
            accept: 'application/json',
            'user-agent': recommendations.USER_AGENT,
            'x-user-token': ACCESS_TOKEN,
        });
        assert.ok(recommendations.USER_AGENT.trim(), "AWS WAF's NoUserAgent rule blocks an empty User-Agent");
    });

    it('refuses IAM callers, who have no user token to forward', () => {
        const iam = { cognitoIdentityId: 'us-east-1:abc', cognitoIdentityAuthProvider: 'x:CognitoSignIn:abc' };
        const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=ASIA/...' };
        assert.throws(() => recommendations.request(context({ identity: iam, headers: signed })), { type: 'Unauthorized' });
        assert.throws(() => recommendations.request(context({ headers: {} })), { type: 'Unauthorized' });
    });

    it('returns the recommendations of a 200 answer', () => {
        const body = JSON.stringify({ recommendations: [{ itemId: 'i-1', score: 0.9 }] });
        const answer = recommendations.response(context({ result: { statusCode: 200, body } }));
        assert.deepEqual(answer, [{ itemId: 'i-1', score: 0.9 }]);
    });

    it('turns any other status into a GraphQL error', () => {
        assert.throws(() => recommendations.response(context({ result: { statusCode: 403, body: '{}' } })), {
            type: 'ServiceError',
        });
    });
});
