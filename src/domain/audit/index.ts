// Findings (anomaly rules) of the spot check (issue 5 item 3) and the synthetic history to test them.
export * from './types';
export { DEFAULT_AUDIT_CONFIG, DEFAULT_SEVERITY, DEFAULT_GENERIC_NOTE_WORDS, auditConfig, type AuditConfig } from './config';
export { FindingsEngine, findFindings } from './engine';
export { surnameShares, familyKana } from './person-match';
export { isVagueNote } from './vague-note';
export { generateSyntheticHistory, type SyntheticHistory, type SyntheticHistoryOptions, type PlantedCase, type SyntheticOperator } from './synthetic-history';
