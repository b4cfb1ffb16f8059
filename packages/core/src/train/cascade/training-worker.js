// Worker-thread entry: worker threads start without the parent's TypeScript hook, so register it here.
'use strict';
require('@swc-node/register');
require('./training-worker-main.ts');
