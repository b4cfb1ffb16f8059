// Worker-thread entry. From the sources, threads start without the parent's TypeScript hook, so it is registered
// here; the published package runs the compiled module beside this file.
'use strict';
if (require('node:fs').existsSync(require('node:path').join(__dirname, 'training-worker-main.js'))) {
  require('./training-worker-main.js');
} else {
  require('@swc-node/register');
  require('./training-worker-main.ts');
}
