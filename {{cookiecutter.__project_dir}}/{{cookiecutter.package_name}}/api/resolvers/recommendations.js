/**
 * Query.recommendations: calls the service tier's REST API (GET /recommendations?limit=N).
 * AppSync signs the request with IAM (execute-api), so the signature names AppSync, not the
 * user: the user's own Cognito token travels in x-user-token and the container verifies it
 * against the user pool. IAM callers have no such token; they call the REST API directly.
 */
import { util } from '@aws-appsync/utils';

export const MAX_RESULTS = 50;
export const USER_TOKEN_HEADER = 'x-user-token';
// AWS WAF's managed common rule set (NoUserAgent_HEADER) blocks requests without a User-Agent.
export const USER_AGENT = 'appsync-recommendations-resolver';

export function request(ctx) {
    const token = ctx.request.headers.authorization;
    if (!ctx.identity || !ctx.identity.claims || !token) {
        util.error('recommendations need a user pool sign-in (IAM callers use the REST API)', 'Unauthorized');
    }
    const limit = Math.max(1, Math.min(ctx.args.limit || 10, MAX_RESULTS));
    return {
        method: 'GET',
        resourcePath: `/${ctx.env.REST_API_STAGE}/recommendations`,
        params: {
            query: { limit: `${limit}` },
            headers: { accept: 'application/json', 'user-agent': USER_AGENT, [USER_TOKEN_HEADER]: token },
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
