// Calls one exported function of a resolver for tests in other languages:
//   echo '{"module": "owner.js", "export": "ownerOf", "args": [...]}' | node --import ./testing/register-appsync-utils.mjs testing/call.mjs
// prints {"value": <what it returned>} or {"error": {"message", "type"}} when it stopped the resolver.
import { readFileSync } from 'node:fs';

const call = JSON.parse(readFileSync(0, 'utf-8'));
const resolver = await import(new URL(`../${call.module}`, import.meta.url).href);
let answer;
try {
    answer = { value: resolver[call.export](...call.args) ?? null };
} catch (error) {
    answer = { error: { message: error.message, type: error.type ?? null } };
}
process.stdout.write(JSON.stringify(answer));
