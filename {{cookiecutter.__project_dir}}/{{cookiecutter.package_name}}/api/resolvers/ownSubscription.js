/** Subscription fields: a subscriber receives only events about what it owns. */
import { extensions, util } from '@aws-appsync/utils';

export function request() {
    return { payload: null };
}

export function response(ctx) {
    extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ owner: { eq: ctx.stash.owner } }));
    return null;
}
