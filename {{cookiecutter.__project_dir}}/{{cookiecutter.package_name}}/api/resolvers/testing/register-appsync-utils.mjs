// Resolvers import '@aws-appsync/utils', which AppSync provides at run time; in tests the
// imports resolve to the local stand-ins in appsync-utils/ (only what the resolvers use).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
