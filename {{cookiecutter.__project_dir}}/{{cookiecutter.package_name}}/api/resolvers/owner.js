/**
 * Pipeline resolver shared by every field: decides who the caller is before any data
 * source runs, and hands that owner to the functions through the stash.
 *
 * Cognito user pool callers are identified by their `sub`. IAM callers signed in through
 * the identity pool carry the same `sub` at the end of `cognitoIdentityAuthProvider`
 * ("...:CognitoSignIn:<sub>"), so one user owns the same data under both auth modes.
 */
import { util } from '@aws-appsync/utils';

export function ownerOf(identity) {
    if (!identity) {
        return null;
    }
    if (identity.sub) {
        return identity.sub;
    }
    const provider = identity.cognitoIdentityAuthProvider || '';
    const marker = ':CognitoSignIn:';
    const at = provider.lastIndexOf(marker);
    return at < 0 ? null : provider.substring(at + marker.length);
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
    return ctx.prev.result;
}
