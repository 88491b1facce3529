import { ConfigError, loadConfig, type Config } from '../core/config.ts';

export const USAGE = `usage: cell-monitor-collector <command>

  start               run the collector (configuration from the environment; see README)
  migrate             apply database migrations and exit
  demo                [--remove]
                      run the collector with a demo instructor (demo@example.org, password
                      demo-password) and a class of 30 simulated students sending events to it;
                      --remove deletes the demo class, its students everywhere and the instructor
  create-instructor   --email E --name N [--role admin|instructor]
                      create an account; the password is read from stdin (one line) or from
                      CELL_MONITOR_PASSWORD
  issue-credential    --user NAME [--user NAME …] [--issued-at MS]
                      print the per-student credential of each Jupyter user name (from
                      INGEST_KEY, the master key); give it to that student's Jupyter server as
                      CELL_MONITOR_CREDENTIAL with CELL_MONITOR_USER=NAME. One name: the
                      credential alone; several: "name<TAB>credential" lines
  revoke-credential   --user NAME [--user NAME …]
                      refuse every credential of those students issued before now (401
                      credential_revoked); issue each a new one afterwards
  export-student      --user NAME [--out FILE]
                      everything stored about one student (store, this DATA_DIR's buffer, the
                      Redis Streams) as NDJSON (one record per line), to FILE (mode 600) or stdout
  export-class        --class ID --from ISO --to ISO --format progsnap2|events-csv
                      [--pseudonymise] [--drop-free-text] [--out FILE]
                      a class's events in a window as a ProgSnap2 dataset (zip) or raw events
                      (CSV), as GET /api/v1/classes/:id/exports/… makes them, to FILE (mode 600)
                      or stdout; --pseudonymise: keyed-hash SubjectIDs (EXPORT_PSEUDONYM_KEY, or a
                      random key per export), names and emails redacted; --drop-free-text: no
                      code, outputs or messages
  erase-student       --user NAME --yes
                      delete that student everywhere: every table, the buffer, the streams
                      (running collectors clear their own buffers too); prints rows per table
  install-service     [--dry-run] [--user NAME] [--env-path PATH] [--unit-dir DIR]
                      write the systemd unit cell-monitor-collector.service (DIR, default
                      /etc/systemd/system; hardened, DynamicUser unless --user) and the environment
                      file (default /etc/cell-monitor/collector.env, mode 0600, new secrets; an
                      existing one is kept). Needs root; --dry-run prints both and writes nothing
  uninstall-service   [--dry-run] [--unit-dir DIR]
                      remove the unit (the environment file and the data stay)
`;

/** The configuration, or exit 2 naming every problem (a CLI run, never a stack trace). */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cell-monitor-collector: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
