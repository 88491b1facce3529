/**
 * The systemd unit and environment file `install-service` writes (pure: text in, text out; the
 * packaging test runs the unit through `systemd-analyze verify`).
 */
import crypto from 'node:crypto';

export const UNIT_NAME = 'cell-monitor-collector.service';
export const STATE_DIR = 'cell-monitor';

export interface UnitOptions {
  /** ExecStart without ` start`: the node binary and the installed bin, absolute. */
  command: string;
  envFile: string;
  /** A system account to run as; without it systemd makes one per run (DynamicUser=yes). */
  user?: string;
}

/**
 * Hardened: its own user, read-only system (ProtectSystem=strict) but for the state directory the
 * buffer and the SQLite store live in, no home directories, own /tmp, no
 * capabilities (the default port is above 1024; to listen on 80 add CAP_NET_BIND_SERVICE to both
 * capability lines), only the system calls of an ordinary service (@system-service without
 * @privileged; a refused call fails with EPERM instead of killing the process), no other users'
 * processes in /proc. `systemd-analyze security` scores it about 1.2 (the packaging test prints it).
 * No MemoryDenyWriteExecute: V8's JIT needs writable code pages; no PrivateNetwork or IPAddressDeny:
 * it serves the network. Exit 2 is a configuration error: restarting would not mend it.
 */
export function renderUnit(options: UnitOptions): string {
  const who = options.user ? `User=${options.user}\nGroup=${options.user}` : 'DynamicUser=yes';
  return `[Unit]
Description=cell-monitor collector (learning analytics for JupyterLab classes)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${options.command} start
Environment=NODE_ENV=production
Environment=DATA_DIR=%S/${STATE_DIR}
EnvironmentFile=${options.envFile}
${who}
StateDirectory=${STATE_DIR}
StateDirectoryMode=0700
UMask=0077
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
CapabilityBoundingSet=
AmbientCapabilities=
PrivateUsers=yes
PrivateMounts=yes
ProtectClock=yes
ProtectKernelLogs=yes
ProtectHostname=yes
ProtectProc=invisible
ProcSubset=pid
RestrictNamespaces=yes
RestrictRealtime=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged
SystemCallErrorNumber=EPERM
Restart=on-failure
RestartSec=2
RestartPreventExitStatus=2
TimeoutStopSec=30
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}

/** Secrets are made here only when the file is new; `hidden` shows placeholders (--dry-run). */
export function renderEnvFile(hidden: boolean): string {
  const secret = () => (hidden ? '<generated at install>' : crypto.randomBytes(32).toString('hex'));
  return `# cell-monitor collector: read by ${UNIT_NAME} (EnvironmentFile=). Mode 0600: it holds secrets.
# Every variable and its default: the README's configuration table.
HOST=127.0.0.1
PORT=8765
DATA_DIR=/var/lib/${STATE_DIR}
# PostgreSQL instead of the embedded SQLite store in DATA_DIR:
# DATABASE_URL=postgres://cell_monitor:PASSWORD@127.0.0.1:5432/cell_monitor
# Redis, for several collectors behind one address (needs DATABASE_URL):
# REDIS_URL=redis://127.0.0.1:6379
# The master key the Jupyter companions' credentials derive from (issue-credential):
INGEST_KEY=${secret()}
# Signs the instructors' tokens:
JWT_SECRET=${secret()}
`;
}
