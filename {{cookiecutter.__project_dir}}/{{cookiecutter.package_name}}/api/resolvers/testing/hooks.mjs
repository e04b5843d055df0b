const STAND_INS = {
    '@aws-appsync/utils': new URL('./utils.mjs', import.meta.url).href,
    '@aws-appsync/utils/dynamodb': new URL('./dynamodb.mjs', import.meta.url).href,
};

export async function resolve(specifier, context, nextResolve) {
    if (specifier in STAND_INS) {
        return { url: STAND_INS[specifier], shortCircuit: true };
    }
    return nextResolve(specifier, context);
}
