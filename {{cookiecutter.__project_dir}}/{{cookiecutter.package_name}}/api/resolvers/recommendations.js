/**
 * Query.recommendations: calls the service tier's REST API (GET /recommendations).
 * AppSync signs the request with IAM (execute-api); the user's identity travels in
 * headers because the signature names AppSync, not the user.
 */
import { util } from '@aws-appsync/utils';

export const MAX_RESULTS = 50;

export function request(ctx) {
    const limit = Math.min(ctx.args.limit || 10, MAX_RESULTS);
    return {
        method: 'GET',
        resourcePath: `/${ctx.env.REST_API_STAGE}/recommendations`,
        params: {
            query: { limit: `${limit}` },
            headers: {
                accept: 'application/json',
                'x-user-id': ctx.stash.owner,
                'x-user-email': (ctx.identity.claims && ctx.identity.claims.email) || '',
            },
        },
    };
}

export function response(ctx) {
    if (ctx.error) {
        util.error(ctx.error.message, ctx.error.type);
    }
    if (ctx.result.statusCode !== 200) {
        util.error(`service tier answered ${ctx.result.statusCode}`, 'ServiceError');
    }
    return JSON.parse(ctx.result.body).recommendations;
}
