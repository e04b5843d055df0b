// A resolver context as AppSync builds it, for a caller signed in with a user pool token. The stash
// starts empty, as AppSync's does: only the owner step (owner.js) puts the owner there.
export const OWNER = '3f1c2b9a-0000-4000-8000-000000000001';
export const ACCESS_TOKEN = 'eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiIzZjFjMmI5YSJ9.c2lnbmF0dXJl';

export function context({ args = {}, identity, stash = {}, result, error, env = {}, info = {}, headers } = {}) {
    return {
        args,
        arguments: args,
        identity: identity === undefined ? { sub: OWNER, claims: { sub: OWNER, email: 'ana@example.com' } } : identity,
        stash,
        result,
        error,
        env,
        info: { parentTypeName: 'Query', fieldName: 'field', ...info },
        request: { headers: headers === undefined ? { authorization: ACCESS_TOKEN } : headers },
        prev: { result },
    };
}
