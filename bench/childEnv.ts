/**
 * The benches' contenders' environment: this process's, plus `extra`, less NODE_EXTRA_CA_CERTS. Node reads
 * that bundle of certificates at every start (about 90 ms on this machine, where it is set for every
 * process); a time added to both sides alike would only pull the ratios towards 1.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}
