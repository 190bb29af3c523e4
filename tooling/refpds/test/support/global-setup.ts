import type { TestProject } from 'vitest/node';
import { type RefPds, refPdsMissing, startRefPds } from '../../src/index.js';

/** What the test files learn about the shared reference PDS (null when it is not installed). */
export interface SharedRefPds {
  pdsUrl: string;
  plcUrl: string;
  issuer: string;
  port: number;
  pid: number;
  dataDir: string;
  nodeVersion: string;
  timings: RefPds['timings'];
}

declare module 'vitest' {
  export interface ProvidedContext {
    refpds: SharedRefPds | null;
    refpdsMissing: string | null;
  }
}

/**
 * One reference PDS for the whole `refpds` project (it takes ~5 s and ~220 MB to start); each
 * test creates its own fresh accounts on it. The lifecycle tests start their own.
 */
export default async function setup(project: TestProject) {
  const missing = refPdsMissing();
  project.provide('refpdsMissing', missing);
  if (missing) {
    project.provide('refpds', null);
    return;
  }
  const pds = await startRefPds();
  console.log(
    `[refpds] reference PDS ${pds.pdsUrl} (Node ${pds.nodeVersion}) ready: spawn→ready ${pds.timings.spawnToReadyMs} ms ` +
      `(import ${pds.timings.importMs} ms), RSS ${await pds.rssMb()} MiB`,
  );
  project.provide('refpds', {
    pdsUrl: pds.pdsUrl,
    plcUrl: pds.plcUrl,
    issuer: pds.issuer,
    port: pds.port,
    pid: pds.pid,
    dataDir: pds.dataDir,
    nodeVersion: pds.nodeVersion,
    timings: pds.timings,
  });
  // Teardown prints nothing: it runs after the plain-summary reporter, whose line must stay last.
  return async () => {
    await pds.stop();
  };
}
