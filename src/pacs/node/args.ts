/** Command line of `npm run node` (pure). */
import type { BackendName } from '../../engine/backend';
import type { ProtocolId } from '../../organs';
import { backendArg, cliOptions, protocolArg, UsageError } from '../../batch/args';

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

export function parseNodeArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): NodeOptions {
  const o: NodeOptions = {
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
  };
  const positive = (a: string, v: string, zero = false) => {
    const n = Number(v);
    if (!(zero ? n >= 0 : n > 0)) throw new UsageError(`${a} needs a ${zero ? 'non-negative' : 'positive'} number (got "${v}")`);
    return n;
  };
  for (const { name: a, value } of cliOptions(argv)) {
    switch (a) {
      case '--pacs':
        o.pacs = value();
        break;
      case '--user':
        o.user = value();
        break;
      case '--password':
        o.password = value();
        break;
      case '--token':
        o.token = value();
        break;
      case '--watch':
        o.watch = true;
        break;
      case '--interval':
        o.intervalS = positive(a, value());
        break;
      case '--settle':
        o.settleS = positive(a, value(), true);
        break;
      case '--protocol':
        o.protocol = protocolArg(value());
        break;
      case '--model':
        o.model = value();
        break;
      case '--backend':
        o.backend = backendArg(value(), false);
        break;
      case '--no-build':
        o.build = false;
        break;
      case '--dist':
        o.dist = value();
        break;
      case '--timeout':
        o.timeoutMin = positive(a, value());
        break;
      case '--state':
        o.state = value();
        break;
      case '--work':
        o.work = value();
        break;
      case '--node-id':
        o.nodeId = value();
        break;
      case '--orthanc': {
        const v = value();
        o.orthanc = v === 'none' ? null : v;
        break;
      }
      case '--claim-metadata':
        o.claimMetadata = value();
        break;
      case '--claim-ttl':
        o.claimTtlMin = positive(a, value());
        break;
      case '--attempts':
        o.attempts = positive(a, value());
        break;
      case '--max-backoff':
        o.maxBackoffS = positive(a, value());
        break;
      case '--outage':
        o.outageMin = positive(a, value());
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
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
