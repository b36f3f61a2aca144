/** Command line of `npm run node` (pure). */
import type { BackendName } from '../../engine/backend';
import type { ProtocolId } from '../../organs';
import { backendArg, numberArg, parseOptions, protocolArg, UsageError, type OptionTable } from '../../cli/options';

export interface NodeOptions {
  /** DICOMweb root. */
  pacs: string;
  user: string | null;
  password: string | null;
  token: string | null;
  /** Keep polling (else: one pass, then exit). */
  watch: boolean;
  /** Seconds between polls in --watch mode. */
  intervalS: number;
  /** A CT series is taken once its instance count has not changed for this many seconds (0: at once). */
  settleS: number;
  protocol: ProtocolId;
  model: string | null;
  backend: BackendName | null;
  build: boolean;
  dist: string | null;
  timeoutMin: number;
  /** State file (series done / failed), survives restarts. */
  state: string;
  /** Working folder for retrieved series and batch outputs (emptied per series). */
  work: string;
  /** This node's name in claims (default: host name + a code of the state file); stable across restarts. */
  nodeId: string | null;
  /** Orthanc REST root for claims; 'auto' = the DICOMweb URL without /dicom-web; null = no claims. */
  orthanc: string | 'auto' | null;
  /** Orthanc user-defined metadata name holding the claim. */
  claimMetadata: string;
  /** A claim older than this (minutes) from a node that did not finish is taken over. */
  claimTtlMin: number;
  /** Attempts per series before it is left alone (recorded as failed in the state file). */
  attempts: number;
  /** Longest wait between retries during a PACS outage (seconds). */
  maxBackoffS: number;
  /** Without --watch: give up after the PACS has been unreachable this long (minutes). */
  outageMin: number;
}

export const NODE_USAGE = `Usage: npm run node -- --pacs DICOMWEB_URL [--user U --password P | --token T] [--watch] [--interval S]
                       [--protocol whole|head-neck|thorax|abdomen] [--model ID|DIR] [--backend webgpu|webgl|wasm]
                       [--state FILE] [--work DIR] [--node-id NAME] [--orthanc URL|auto|none] [--settle S]

Auto-contouring node: finds CT series on the PACS (QIDO-RS), contours each once with the app's own pipeline
(the same headless-Chromium runner as npm run segment) and stores the RTSTRUCT back into its study (STOW-RS).
  --pacs        DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web
  --user/--password  HTTP basic authentication (or PACS_PASSWORD in the environment); --token: bearer
  --watch       keep polling every --interval seconds (default 30); without it: one pass, then exit
  --settle      take a series once its image count has not changed for S seconds (default 0, or 60 with --watch)
  --state       state file (default .aa-node/state.json): series done or given up, kept across restarts
  --work        scratch folder (default .aa-node/work)
  --node-id     this node's name in claims (default: the host name and a code of the state file, so two
                nodes on one host differ and a restarted node knows its own claims)
  --orthanc     Orthanc REST root for claims between several nodes (default auto: the --pacs URL without
                /dicom-web; "none" for a PACS that is not Orthanc: then run one node only)
  --attempts    tries per series before it is given up (default 3); a series that keeps failing (no images,
                unreadable answers, a contouring error) is logged and left alone after that
  --claim-ttl   minutes after which another node's unfinished claim is taken over (default 120; claims are
                renewed every quarter of it while a series is worked on)
  --protocol, --model, --backend, --timeout, --no-build, --dist: as for npm run segment`;

/** The options of `npm run node`, one row each (src/cli/options.ts). */
const OPTIONS: OptionTable<NodeOptions> = [
  { name: '--pacs', value: (o, v) => void (o.pacs = v) },
  { name: '--user', value: (o, v) => void (o.user = v) },
  { name: '--password', value: (o, v) => void (o.password = v) },
  { name: '--token', value: (o, v) => void (o.token = v) },
  { name: '--watch', flag: (o) => void (o.watch = true) },
  { name: '--interval', value: (o, v, n) => void (o.intervalS = numberArg(n, v, 'positive')) },
  { name: '--settle', value: (o, v, n) => void (o.settleS = numberArg(n, v, 'non-negative')) },
  { name: '--protocol', value: (o, v) => void (o.protocol = protocolArg(v)) },
  { name: '--model', value: (o, v) => void (o.model = v) },
  { name: '--backend', value: (o, v) => void (o.backend = backendArg(v, false)) },
  { name: '--no-build', flag: (o) => void (o.build = false) },
  { name: '--dist', value: (o, v) => void (o.dist = v) },
  { name: '--timeout', value: (o, v, n) => void (o.timeoutMin = numberArg(n, v, 'positive')) },
  { name: '--state', value: (o, v) => void (o.state = v) },
  { name: '--work', value: (o, v) => void (o.work = v) },
  { name: '--node-id', value: (o, v) => void (o.nodeId = v) },
  { name: '--orthanc', value: (o, v) => void (o.orthanc = v === 'none' ? null : v) },
  { name: '--claim-metadata', value: (o, v) => void (o.claimMetadata = v) },
  { name: '--claim-ttl', value: (o, v, n) => void (o.claimTtlMin = numberArg(n, v, 'positive')) },
  { name: '--attempts', value: (o, v, n) => void (o.attempts = numberArg(n, v, 'positive')) },
  { name: '--max-backoff', value: (o, v, n) => void (o.maxBackoffS = numberArg(n, v, 'positive')) },
  { name: '--outage', value: (o, v, n) => void (o.outageMin = numberArg(n, v, 'positive')) },
];

export function parseNodeArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): NodeOptions {
  const o = parseOptions<NodeOptions>(argv, OPTIONS, {
    pacs: '',
    user: null,
    password: env.PACS_PASSWORD ?? null,
    token: env.PACS_TOKEN ?? null,
    watch: false,
    intervalS: 30,
    settleS: -1,
    protocol: 'whole',
    model: null,
    backend: null,
    build: true,
    dist: null,
    timeoutMin: 60,
    state: '.aa-node/state.json',
    work: '.aa-node/work',
    nodeId: null,
    orthanc: 'auto',
    claimMetadata: 'AutoContourClaim',
    claimTtlMin: 120,
    attempts: 3,
    maxBackoffS: 60,
    outageMin: 10,
  });
  if (!o.pacs) throw new UsageError('--pacs is required');
  if (o.user !== null && o.password === null)
    throw new UsageError('--user needs --password (or PACS_PASSWORD in the environment)');
  if (o.token && o.user) throw new UsageError('give either --user/--password or --token, not both');
  if (o.settleS < 0) o.settleS = o.watch ? 60 : 0;
  return o;
}

/** The Orthanc REST root for claims, or null. */
export function orthancRoot(o: Pick<NodeOptions, 'pacs' | 'orthanc'>): string | null {
  if (o.orthanc === null) return null;
  if (o.orthanc !== 'auto') return o.orthanc.replace(/\/+$/, '');
  const m = /^(.*)\/dicom-web\/*$/.exec(o.pacs.trim());
  return m ? m[1] : null;
}
