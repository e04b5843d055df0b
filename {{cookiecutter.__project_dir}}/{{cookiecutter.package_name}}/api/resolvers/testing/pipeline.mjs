// A pipeline resolver run in AppSync's order: the resolver's request handler, each function's
// request -> data source -> response, then the resolver's response handler. `dataSource` answers
// each function's request (the NONE data source echoes its payload).
import { phase, SUBSCRIPTION_RESOLVER_RESPONSE } from '@aws-appsync/utils';

export const noneDataSource = (request) => request.payload;

export function runPipeline({ resolver, functions, ctx, dataSource = noneDataSource }) {
    const stage = (name, handler) => {
        phase.current = name;
        try {
            return handler(ctx);
        } finally {
            phase.current = null;
        }
    };
    const typeName = ctx.info.parentTypeName;
    stage(`${typeName} resolver request`, resolver.request);
    for (const [index, fn] of functions.entries()) {
        const request = stage(`${typeName} function ${index} request`, fn.request);
        ctx.result = dataSource(request);
        const result = stage(`${typeName} function ${index} response`, fn.response);
        ctx.prev = { result };
    }
    const last = typeName === 'Subscription' ? SUBSCRIPTION_RESOLVER_RESPONSE : `${typeName} resolver response`;
    return stage(last, resolver.response);
}
