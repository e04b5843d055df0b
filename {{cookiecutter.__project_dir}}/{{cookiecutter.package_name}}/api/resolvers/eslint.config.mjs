// AppSync's own rules (APPSYNC_JS runtime restrictions), with type information for the
// rules that need it. Tests run in Node.js and are linted as ordinary modules.
import appsync from '@aws-appsync/eslint-plugin';

export default [
    { ignores: ['node_modules/', 'test/', 'testing/'] },
    { files: ['*.js'], languageOptions: { parserOptions: { projectService: true } } },
    { files: ['*.js'], ...appsync.configs.recommended },
];
