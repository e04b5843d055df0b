// A pipeline resolver run in AppSync's order: the resolver's request handler, each function's
// request -> data source -> response, then the resolver's response handler. `dataSource` answers
// each function's request (the NONE data source echoes its payload); a data source that fails
// answers `{ error: { message, type } }` through `failure`, which AppSync hands the response
// handler as ctx.error with a null ctx.result.
import { phase, SUBSCRIPTION_RESOLVER_RESPONSE } from '@aws-appsync/utils';

import * as owner from '../owner.js';

export const noneDataSource = (request) => request.payload;

const FAILURE = Symbol('data source failure');

export function failure(message, type) {
    return { [FAILURE]: { message, type } };
}

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
    ctx.prev = { result: stage(`${typeName} resolver request`, resolver.request) };
    for (const [index, fn] of functions.entries()) {
        ctx.error = undefined;
        const answer = dataSource(stage(`${typeName} function ${index} request`, fn.request));
        if (answer && answer[FAILURE]) {
            ctx.error = answer[FAILURE];
            ctx.result = null;
        } else {
            ctx.result = answer;
        }
        ctx.prev = { result: stage(`${typeName} function ${index} response`, fn.response) };
    }
    const last = typeName === 'Subscription' ? SUBSCRIPTION_RESOLVER_RESPONSE : `${typeName} resolver response`;
    return stage(last, resolver.response);
}

// One field as AppSync deploys it (api/infrastructure.py): owner.js as the resolver, `fn` as its one
// function. Returns what the field resolves to and the request `fn` sent to its data source.
export function resolveField({ fn, ctx, answer = null }) {
    const sent = [];
    const result = runPipeline({
        resolver: owner,
        functions: [fn],
        ctx,
        dataSource: (request) => {
            sent.push(request);
            return typeof answer === 'function' ? answer(request) : answer;
        },
    });
    return { result, request: sent[0], ctx };
}
