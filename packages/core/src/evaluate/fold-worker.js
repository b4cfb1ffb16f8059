// Worker-thread entry: worker threads start without the parent's TypeScript hook, so register it here.
'use strict';
require('@swc-node/register');
require('./fold-worker-main.ts');
