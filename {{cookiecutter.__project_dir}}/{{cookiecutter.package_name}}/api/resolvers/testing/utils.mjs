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
                        filters: Object.entries(filter).map(([fieldName, rule]) => {
                            const [operator, value] = Object.entries(rule)[0];
                            return { fieldName, operator, value };
                        }),
                    },
                ],
            };
        },
    },
};

export const extensions = {
    filters: [],
    setSubscriptionFilter(filter) {
        this.filters.push(filter);
    },
};
