// Behaviour of the AppSync utilities the resolvers call, as documented for APPSYNC_JS:
// util.error and util.unauthorized stop the resolver by throwing.
import { randomUUID } from 'node:crypto';

export class AppSyncError extends Error {
    constructor(message, type) {
        super(message);
        this.type = type;
    }
}

export const util = {
    error(message, type) {
        throw new AppSyncError(message, type);
    },
    unauthorized() {
        throw new AppSyncError('Unauthorized', 'Unauthorized');
    },
    autoId: () => randomUUID(),
    time: { nowISO8601: () => new Date().toISOString() },
    transform: {
        toSubscriptionFilter(filter) {
            return {
                filterGroup: [
                    {
                        filters: Object.entries(filter).flatMap(([fieldName, rule]) =>
                            Object.entries(rule).map(([operator, value]) => ({ fieldName, operator, value })),
                        ),
                    },
                ],
            };
        },
    },
};

// Where AppSync is in a request; set by testing/pipeline.mjs. AppSync honours a subscription
// filter only from the response handler of a subscription resolver, so anywhere else it fails here.
export const phase = { current: null };
export const SUBSCRIPTION_RESOLVER_RESPONSE = 'Subscription resolver response';

export const extensions = {
    filters: [],
    setSubscriptionFilter(filter) {
        if (phase.current !== SUBSCRIPTION_RESOLVER_RESPONSE) {
            throw new Error(`setSubscriptionFilter in ${phase.current ?? 'no resolver'}: AppSync ignores it there`);
        }
        this.filters.push(filter);
    },
};
