// test/client/mermaid_parse.mjs - parse Mermaid text on stdin with
// Mermaid's own parser (installed by test/deps.sh in the directory given
// as the argument); prints "parsed", or the parser's error and exits 1.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const require = createRequire(join(dir, 'package.json'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(join(dir, 'node_modules/mermaid/dist/mermaid.core.mjs')));
try {
	await mermaid.parse(readFileSync(0, 'utf8'));
	console.log('parsed');
} catch (e) {
	console.log('error: ' + String(e.message || e).split('\n').slice(0, 3).join(' '));
	process.exit(1);
}
