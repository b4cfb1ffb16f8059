/**
 * The GitHub Actions workflow `init` writes. Search rounds are sequential (a round trains what the earlier rounds'
 * results ask for), so each round is one job whose matrix runs its shards in parallel and which `needs` the previous
 * round; every job shares results through Nx's self-hosted remote cache, so a later job restores earlier rounds
 * instead of training them. The last job runs the rest of the pipeline on the experiments the change affects.
 */
export function ciWorkflow(options: { searchShards: number; searchRounds: number }): string {
  const rounds = options.searchShards > 0 ? Array.from({ length: options.searchRounds }, (_, round) => round) : [];
  const shards = Array.from({ length: options.searchShards }, (_, shard) => shard);
  const setup = `    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - uses: nrwl/nx-set-shas@v4
`;
  const roundJobs = rounds.map(
    (round) => `  search-round-${round}:
    runs-on: ubuntu-latest${round > 0 ? `\n    needs: search-round-${round - 1}` : ''}
    strategy:
      matrix:
        shard: [${shards.join(', ')}]
${setup}      - run: npx nx affected -t search-r${round}-s\${{ matrix.shard }}
`,
  );
  const last = rounds.length > 0 ? `\n    needs: search-round-${rounds[rounds.length - 1]}` : '';
  return `# Written by nx g nx-tinyml:init. Runs the experiments a change affects (nx affected); results are shared
# between jobs and runs through Nx's self-hosted remote cache: set the repository variable
# NX_SELF_HOSTED_REMOTE_CACHE_SERVER (and the secret NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN if it wants one).
name: nx-tinyml
on:
  push:
    branches: [main]
  pull_request:
env:
  NX_DAEMON: 'false'
  NX_NO_CLOUD: 'true'
  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: \${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: \${{ secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN }}
jobs:
${roundJobs.join('')}  pipeline:
    runs-on: ubuntu-latest${last}
${setup}      - run: sudo bash node_modules/@nx-tinyml/core/tools/install-toolchains base firmware
      - run: npx nx affected -t flash-test evaluate report
`;
}
