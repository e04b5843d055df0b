// The request objects that @aws-appsync/utils/dynamodb builds (DynamoDB resolver
// request format, attribute values as util.dynamodb.toDynamoDB documents them), for the helpers
// the resolvers use. test/appsync-utils.test.mjs holds these to AppSync's documented examples.
function toDynamo(value) {
    if (value === null || value === undefined) return { NULL: true };
    if (typeof value === 'string') return { S: value };
    if (typeof value === 'number') return { N: value };
    if (typeof value === 'boolean') return { BOOL: value };
    if (Array.isArray(value)) return { L: value.map(toDynamo) };
    return { M: toMap(value) };
}

function toMap(object) {
    return Object.fromEntries(
        Object.entries(object)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, toDynamo(v)]),
    );
}

function condition(spec) {
    const names = {};
    const values = {};
    const parts = [];
    for (const [field, rule] of Object.entries(spec)) {
        names[`#${field}`] = field;
        for (const [operator, value] of Object.entries(rule)) {
            if (operator === 'attributeExists') {
                parts.push(`${value ? 'attribute_exists' : 'attribute_not_exists'}(#${field})`);
            } else if (operator === 'eq') {
                values[`:${field}_eq`] = toDynamo(value);
                parts.push(`#${field} = :${field}_eq`);
            } else if (operator === 'beginsWith') {
                values[`:${field}_beginsWith`] = toDynamo(value);
                parts.push(`begins_with(#${field}, :${field}_beginsWith)`);
            } else {
                throw new Error(`operator ${operator} not modelled`);
            }
        }
    }
    const expression = { expression: parts.join(' AND '), expressionNames: names };
    if (Object.keys(values).length) expression.expressionValues = values;
    return expression;
}

export function get({ key }) {
    return { operation: 'GetItem', key: toMap(key) };
}

export function put({ key, item, condition: when }) {
    const request = { operation: 'PutItem', key: toMap(key), attributeValues: toMap(item) };
    if (when) request.condition = condition(when);
    return request;
}

export function remove({ key, condition: when }) {
    const request = { operation: 'DeleteItem', key: toMap(key) };
    if (when) request.condition = condition(when);
    return request;
}

export const operations = {
    replace: (value) => ({ type: 'replace', value }),
};

export function update({ key, update: changes, condition: when }) {
    const names = {};
    const values = {};
    const sets = Object.entries(changes).map(([field, op]) => {
        names[`#${field}`] = field;
        values[`:${field}`] = toDynamo(op.value);
        return `#${field} = :${field}`;
    });
    const request = {
        operation: 'UpdateItem',
        key: toMap(key),
        update: { expression: `SET ${sets.join(', ')}`, expressionNames: names, expressionValues: values },
    };
    if (when) request.condition = condition(when);
    return request;
}

export function query({ query, limit, nextToken }) {
    return { operation: 'Query', query: condition(query), limit, nextToken };
}
