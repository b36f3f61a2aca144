/** The pipeline (README.md): the order of the steps and the rules they share, DOM-free. */
export { PIPELINE_STEPS, PipelineError, isPipelineError, type PipelineStep } from './errors';
export { LOAD_CONCURRENCY, findSeries, loadSeries, type LoadOptions } from './load';
export { assertSegmentable, checkGeometry, type GeometryCheck } from './geometry';
export { engineSegment, segment, segmentOutcome, type EngineSegment, type SegmentEngine, type SegmentOutcome } from './segment';
export {
  exportAllowed,
  exportGate,
  exportLabelling,
  outcomeProvenance,
  runningProvenance,
  type ExportGate,
  type ExportLabelling,
  type Provenance,
} from './labelling';
export { NO_ORGAN_MESSAGE, buildStructureSet, type Exporter, type StructureSetStep } from './structureSet';
export { exportOrgans, segmentAlgorithmType, type OrganExport, type OrganExportRequest, type OrganLabels } from './organExport';
export { protocolChannels, protocolExclusions } from './protocol';
export { runPipeline, type PipelineOptions, type PipelineRun } from './run';
