/**
 * Pipeline resolver shared by every field: decides who the caller is before any data
 * source runs, and hands that owner to the functions through the stash.
 *
 * Cognito user pool callers are identified by their `sub`. IAM callers signed in through
 * the identity pool carry the same `sub` at the end of `cognitoIdentityAuthProvider`
 * ("...:CognitoSignIn:<sub>", which AppSync may pass with its JSON quotes), so one user
 * owns the same data under both auth modes (api/runtime/handler.py derives it alike).
 *
 * On Subscription fields the response handler also sets the owner filter: AppSync applies
 * `extensions.setSubscriptionFilter` only in a subscription resolver's response handler,
 * never in a pipeline function.
 */
import { extensions, util } from '@aws-appsync/utils';

const SIGN_IN_MARKER = ':CognitoSignIn:';

export function ownerOf(identity) {
    if (!identity) {
        return null;
    }
    if (identity.sub) {
        return identity.sub;
    }
    const provider = identity.cognitoIdentityAuthProvider || '';
    const at = provider.lastIndexOf(SIGN_IN_MARKER);
    if (at < 0) {
        return null;
    }
    const owner = provider.substring(at + SIGN_IN_MARKER.length).split('"').join('').trim();
    return owner || null;
}

export function request(ctx) {
    const owner = ownerOf(ctx.identity);
    if (!owner) {
        util.unauthorized();
    }
    ctx.stash.owner = owner;
    return {};
}

export function response(ctx) {
    if (ctx.info.parentTypeName === 'Subscription') {
        extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ owner: { eq: ctx.stash.owner } }));
    }
    return ctx.prev.result;
}
