export { createNodes } from './plugin/create-nodes';
export type { TinymlPluginOptions } from './plugin/targets';
