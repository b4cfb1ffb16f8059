// Prints {"<project>:<target>": "<hash>"} for the given targets, computed by Nx's own task hasher exactly as
// `nx run` would before executing them. Test support for the cache-key specifications (run from a workspace root).
'use strict';
const { createProjectGraphAsync } = require('nx/src/devkit-exports');
const { readNxJson } = require('nx/src/config/configuration');
const { createTaskGraph } = require('nx/src/tasks-runner/create-task-graph');
const { createTaskHasher } = require('nx/src/hasher/create-task-hasher');
const { getTaskSpecificEnv } = require('nx/src/tasks-runner/task-env');

async function main() {
  const [project, ...targets] = process.argv.slice(2);
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const taskGraph = createTaskGraph(graph, {}, [project], targets, undefined, {});
  const tasks = Object.values(taskGraph.tasks).filter((t) => targets.includes(t.target.target) && t.target.project === project);
  const envs = Object.fromEntries(tasks.map((t) => [t.id, getTaskSpecificEnv(t, graph)]));
  const hashes = await createTaskHasher(graph, readNxJson()).hashTasks(tasks, taskGraph, envs);
  process.stdout.write(JSON.stringify(Object.fromEntries(tasks.map((t, i) => [t.id, hashes[i].value]))));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
