/**
 * Query.recommendations: calls the service tier's REST API (GET /recommendations?limit=N).
 * AppSync signs the request with IAM (execute-api); the signed-in user's `sub` travels in
 * the x-owner-sub header because the signature names AppSync, not the user.
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
                'x-owner-sub': ctx.stash.owner,
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
