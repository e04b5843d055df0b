/**
 * Subscription fields: the NONE data source step of their pipeline. The owner filter is set by
 * the resolver's response handler (owner.js), the one place AppSync honours it.
 */
export function request() {
    return { payload: null };
}

export function response(ctx) {
    return ctx.result;
}
